package org.yizhan.hub.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.LayoutBase;
import io.vertx.core.json.JsonObject;
import org.slf4j.event.KeyValuePair;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/**
 * One log entry as one line of JSON, for Loki, Elasticsearch or journald:
 * <pre>{"@timestamp":"2026-12-07T05:30:32.123Z","level":"INFO","logger_name":"org.yizhan.hub.HubMain",
 * "thread_name":"main","message":"...","mdc":{..},"kv":{..},"stack_trace":"java.lang...\n\tat ..."}</pre>
 * The field names are those of logstash-logback-encoder, which shippers and dashboards already know; {@code mdc},
 * {@code kv} (SLF4J key-value pairs) and {@code stack_trace} appear only when the entry has them. Logback's own
 * {@code JsonEncoder} was not used: its {@code message} is the unformatted pattern, its time a bare epoch number,
 * its exception a nested array of frames rather than the stack trace as text, and every line repeats the logger
 * context.
 */
public final class JsonLineLayout extends LayoutBase<ILoggingEvent> {

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    @Override
    public String doLayout(ILoggingEvent event) {
        JsonObject line = new JsonObject()
                .put("@timestamp", TIME.format(event.getInstant()))
                .put("level", event.getLevel().toString())
                .put("logger_name", event.getLoggerName())
                .put("thread_name", event.getThreadName())
                .put("message", event.getFormattedMessage());
        Map<String, String> mdc = event.getMDCPropertyMap();
        if (mdc != null && !mdc.isEmpty()) {
            JsonObject m = new JsonObject();
            mdc.forEach(m::put);
            line.put("mdc", m);
        }
        List<KeyValuePair> kvs = event.getKeyValuePairs();
        if (kvs != null && !kvs.isEmpty()) {
            JsonObject kv = new JsonObject();
            kvs.forEach(p -> kv.put(p.key, String.valueOf(p.value)));
            line.put("kv", kv);
        }
        IThrowableProxy thrown = event.getThrowableProxy();
        if (thrown != null) {
            line.put("stack_trace", ThrowableProxyUtil.asString(thrown));
        }
        return line.encode() + "\n";
    }
}
