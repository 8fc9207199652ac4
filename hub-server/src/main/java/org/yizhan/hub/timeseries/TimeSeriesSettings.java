package org.yizhan.hub.timeseries;

import java.util.Optional;

/**
 * Where the station time series live: the embedded QuestDB (the default), a QuestDB server, or an InfluxDB 2.x
 * server; how much telemetry may wait on disk while that store is unreachable; and how long points are kept.
 * Checked by {@code HubConfig}; {@link #toString} never shows the token.
 *
 * @param url            the server's HTTP base URL ({@code http://questdb:9000}); empty for the embedded engine
 * @param token          InfluxDB's API token (influxdb2 only)
 * @param org            InfluxDB organisation (influxdb2 only)
 * @param bucket         InfluxDB bucket (influxdb2 only)
 * @param bufferMaxBytes the most the on-disk buffer of unsent line-protocol records may hold
 * @param retentionDays  QuestDB partitions older than this many days are dropped; 0 keeps everything
 * @param deadBands      which telemetry readings are written (unchanged ones are thinned)
 */
public record TimeSeriesSettings(Engine engine, String url, Optional<String> token, String org, String bucket,
                                 long bufferMaxBytes, int retentionDays, DeadBands deadBands) {

    /** With every reading written. */
    public TimeSeriesSettings(Engine engine, String url, Optional<String> token, String org, String bucket,
                              long bufferMaxBytes, int retentionDays) {
        this(engine, url, token, org, bucket, bufferMaxBytes, retentionDays, DeadBands.OFF);
    }

    public static final long DEFAULT_BUFFER_MAX_BYTES = 256L * 1024 * 1024;
    public static final int DEFAULT_RETENTION_DAYS = 400;

    public enum Engine {
        EMBEDDED("embedded"), QUESTDB("questdb"), INFLUXDB2("influxdb2");

        private final String setting;

        Engine(String setting) {
            this.setting = setting;
        }

        /** The value of {@code ts-engine} that selects it. */
        public String setting() {
            return setting;
        }

        public static Optional<Engine> of(String setting) {
            for (Engine e : values()) {
                if (e.setting.equals(setting)) {
                    return Optional.of(e);
                }
            }
            return Optional.empty();
        }

        /** True for the engines read with QuestDB SQL (embedded and server). */
        public boolean isQuestDb() {
            return this != INFLUXDB2;
        }
    }

    /**
     * The embedded QuestDB, a buffer of {@value #DEFAULT_BUFFER_MAX_BYTES} bytes, 400 days kept, the default dead
     * bands.
     */
    public static TimeSeriesSettings embedded() {
        return new TimeSeriesSettings(Engine.EMBEDDED, "", Optional.empty(), "", "", DEFAULT_BUFFER_MAX_BYTES,
                DEFAULT_RETENTION_DAYS, DeadBands.DEFAULTS);
    }

    @Override
    public String toString() {
        return engine.setting() + (url.isEmpty() ? "" : " at " + url)
                + (org.isEmpty() ? "" : ", org " + org) + (bucket.isEmpty() ? "" : ", bucket " + bucket)
                + (token.isPresent() ? ", token ***" : "")
                + ", buffer up to " + bufferMaxBytes + " bytes, retention "
                + (retentionDays == 0 ? "forever" : retentionDays + " days") + ", " + deadBands;
    }
}
