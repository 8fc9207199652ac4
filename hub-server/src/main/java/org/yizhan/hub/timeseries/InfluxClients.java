package org.yizhan.hub.timeseries;

import com.influxdb.client.InfluxDBClient;
import com.influxdb.client.InfluxDBClientFactory;
import com.influxdb.client.InfluxDBClientOptions;
import com.influxdb.client.WriteApiBlocking;
import com.influxdb.client.domain.WritePrecision;
import com.influxdb.client.write.Point;
import com.influxdb.exceptions.InfluxException;
import okhttp3.OkHttpClient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * influxdb-client-java set up the way both stores use it: line protocol at {@code /api/v2/write} with ms
 * precision (QuestDB takes the same endpoint and ignores org and bucket), short connect and longer read timeouts.
 */
final class InfluxClients {

    private InfluxClients() {
    }

    static InfluxDBClient create(String url, Optional<String> token, String org, String bucket) {
        InfluxDBClientOptions.Builder b = InfluxDBClientOptions.builder()
                .url(url)
                .org(org)
                .bucket(bucket)
                .precision(WritePrecision.MS)
                .okHttpClient(new OkHttpClient.Builder()
                        .connectTimeout(Duration.ofSeconds(3))
                        .readTimeout(Duration.ofSeconds(20))
                        .writeTimeout(Duration.ofSeconds(20)));
        token.ifPresent(t -> b.authenticateToken(t.toCharArray()));
        return InfluxDBClientFactory.create(b.build());
    }

    /** Writes records with the blocking API; HTTP 400, 413 and 422 (the records themselves refused) are final. */
    static LineWriter.Sender sender(InfluxDBClient client, String org, String bucket) {
        WriteApiBlocking api = client.getWriteApiBlocking();
        return lines -> {
            try {
                api.writeRecords(bucket, org, WritePrecision.MS, lines);
            } catch (InfluxException e) {
                int status = e.status();
                if (status == 400 || status == 413 || status == 422) {
                    throw new LineWriter.Rejected("HTTP " + status + " " + e.getMessage(), e);
                }
                throw e;
            }
        };
    }
}
