package org.yizhan.hub.notify;

import java.util.List;

/**
 * One notification: a title and its lines, as each channel renders it (markdown for WeCom and DingTalk, a card with
 * a coloured header for Feishu, plain text for e-mail). {@code urgent} marks the title; {@code severity} picks the
 * colour of the robots that can show one.
 */
public record Message(String title, List<String> lines, boolean urgent, Severity severity) {

    /** How a message looks at a glance: Feishu's header is red, orange, green or blue. */
    public enum Severity {
        URGENT("red"), WARNING("orange"), RESOLVED("green"), INFO("blue");

        private final String feishuTemplate;

        Severity(String feishuTemplate) {
            this.feishuTemplate = feishuTemplate;
        }

        /** The Feishu card header's {@code template} (its colour). */
        public String feishuTemplate() {
            return feishuTemplate;
        }

        /** The severity of a stored message: its outbox kind ({@code opened}, {@code resolved}, {@code test}, ...). */
        public static Severity of(String kind, boolean urgent) {
            return urgent ? URGENT : "resolved".equals(kind) ? RESOLVED : "test".equals(kind) ? INFO : WARNING;
        }
    }

    /** Longest title kept (the outbox column and the e-mail subject). */
    public static final int MAX_TITLE_CHARS = 200;
    /** Longest text kept: WeCom takes 4096 bytes of markdown, so the text stays well under it in UTF-8. */
    public static final int MAX_TEXT_CHARS = 1200;

    public Message {
        title = cut(title, MAX_TITLE_CHARS);
        lines = List.copyOf(lines);
    }

    /** An alert message: urgent ones red, others orange. */
    public Message(String title, List<String> lines, boolean urgent) {
        this(title, lines, urgent, urgent ? Severity.URGENT : Severity.WARNING);
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

    /**
     * The lines as Feishu's {@code lark_md}: one per line, with {@code <} and {@code >} written as entities so that a
     * station name can never become an {@code <at>} mention of the whole group.
     */
    public String larkMarkdown() {
        return text().replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** Title, a line, then the text. */
    public String plain() {
        return title + "\n" + text();
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
