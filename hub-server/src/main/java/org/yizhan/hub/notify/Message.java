package org.yizhan.hub.notify;

import java.util.List;

/**
 * One notification: a title and its lines, as each channel renders it (markdown for WeCom and DingTalk, plain text
 * for Feishu and e-mail). {@code urgent} marks the title for the robots that can colour it.
 */
public record Message(String title, List<String> lines, boolean urgent) {

    /** Longest title kept (the outbox column and the e-mail subject). */
    public static final int MAX_TITLE_CHARS = 200;
    /** Longest text kept: WeCom takes 4096 bytes of markdown, so the text stays well under it in UTF-8. */
    public static final int MAX_TEXT_CHARS = 1200;

    public Message {
        title = cut(title, MAX_TITLE_CHARS);
        lines = List.copyOf(lines);
    }

    /** The lines as one text, cut to {@link #MAX_TEXT_CHARS}. */
    public String text() {
        return cut(String.join("\n", lines), MAX_TEXT_CHARS);
    }

    /** Title in bold, then the lines, each its own paragraph (DingTalk's markdown needs blank lines between them). */
    public String markdown(boolean blankLines) {
        String bold = "**" + title + "**";
        return bold + (blankLines ? "\n\n" : "\n") + String.join(blankLines ? "\n\n" : "\n",
                List.of(text().split("\n")));
    }

    /** Title, a line, then the text. */
    public String plain() {
        return title + "\n" + text();
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
