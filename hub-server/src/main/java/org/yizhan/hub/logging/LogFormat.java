package org.yizhan.hub.logging;

import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * How the hub writes its log lines: {@code text} (the default, one line per entry as operators read them) or
 * {@code json} (one JSON object per line, for log shippers), chosen by the system property
 * {@code yizhan.log.format} or else the environment variable {@code YIZHAN_LOG_FORMAT}. An unknown value logs as
 * text, and {@link #unknownSetting} lets the hub say so once it can log; a typo in an env file must not cost the
 * hub its log, nor its start.
 */
public enum LogFormat {
    TEXT, JSON;

    public static final String ENV = "YIZHAN_LOG_FORMAT";
    public static final String PROPERTY = "yizhan.log.format";

    /** This process's format, from its system properties and environment. */
    public static LogFormat current() {
        return of(System.getProperties(), System.getenv());
    }

    /** The format that the property (which wins) or the environment variable chooses; text if neither is known. */
    public static LogFormat of(Properties props, Map<String, String> env) {
        return setting(props, env).map(v -> v.equalsIgnoreCase("json") ? JSON : TEXT).orElse(TEXT);
    }

    /**
     * The setting and where it came from ({@code YIZHAN_LOG_FORMAT=xml}), when it is set but is neither
     * {@code text} nor {@code json}.
     */
    public static Optional<String> unknownSetting(Properties props, Map<String, String> env) {
        Optional<String> v = setting(props, env);
        if (v.isEmpty() || v.get().equalsIgnoreCase("text") || v.get().equalsIgnoreCase("json")) {
            return Optional.empty();
        }
        String source = present(props.getProperty(PROPERTY)) ? "-D" + PROPERTY : ENV;
        return Optional.of(source + "=" + v.get());
    }

    private static Optional<String> setting(Properties props, Map<String, String> env) {
        String p = props.getProperty(PROPERTY);
        if (present(p)) {
            return Optional.of(p.strip());
        }
        String e = env.get(ENV);
        return present(e) ? Optional.of(e.strip()) : Optional.empty();
    }

    private static boolean present(String s) {
        return s != null && !s.isBlank();
    }
}
