package org.yizhan.hub.logging;

import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Layout;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;

import java.nio.charset.StandardCharsets;

/**
 * The encoder of logback.xml's one appender: the {@code pattern} it is given for text, or {@link JsonLineLayout}
 * when {@link LogFormat#current()} is {@code json}, in UTF-8. One appender rather than one per format, because
 * Logback warns about an appender that is never referenced and then prints its whole start-up status.
 */
public final class HubLogEncoder extends LayoutWrappingEncoder<ILoggingEvent> {

    private String pattern;

    /** The text line, as in a Logback {@code PatternLayout}. */
    public void setPattern(String pattern) {
        this.pattern = pattern;
    }

    @Override
    public void start() {
        if (pattern == null || pattern.isBlank()) {
            addError("no <pattern> for the text format");
            return;
        }
        Layout<ILoggingEvent> chosen;
        if (LogFormat.current() == LogFormat.JSON) {
            chosen = new JsonLineLayout();
        } else {
            PatternLayout text = new PatternLayout();
            text.setPattern(pattern);
            chosen = text;
        }
        chosen.setContext(getContext());
        chosen.start();
        setLayout(chosen);
        setCharset(StandardCharsets.UTF_8);
        super.start();
    }
}
