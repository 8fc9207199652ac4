package org.yizhan.agent;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.yizhan.testing.Futures.get;

/** Raw beam sequences through {@code POST /sim/beam}, through the Pi4J mock inputs to the counter. */
@ExtendWith(VertxExtension.class)
class BeamSequenceSimIT {

    @TempDir
    Path dir;
    private StationAgent agent;
    private WebClient web;

    @BeforeEach
    void setUp(Vertx vertx) throws Exception {
        agent = new StationAgent(vertx, TestStations.config("st-beam", 9, 1, 10), dir, true);
        get(agent.start());
        web = WebClient.create(vertx);
    }

    @AfterEach
    void tearDown() throws Exception {
        get(agent.stop());
    }

    private HttpResponse<Buffer> beam(String body) throws Exception {
        return get(web.post(agent.httpPort(), "127.0.0.1", "/sim/beam").sendBuffer(Buffer.buffer(body)));
    }

    private JsonObject occupancy() throws Exception {
        return get(web.get(agent.httpPort(), "127.0.0.1", "/status").send()).bodyAsJsonObject()
                .getJsonObject("occupancy");
    }

    @Test
    void countsOnlyFullPassagesFromRawBeamSequences() throws Exception {
        assertThat(beam("{\"sequence\":[\"outer\",\"inner\"]}").statusCode()).isEqualTo(200);
        assertThat(beam("{\"sequence\":[\"outer\"]}").statusCode()).isEqualTo(200);
        assertThat(beam("{\"sequence\":[\"outer\",\"inner\",\"inner-off\",\"outer-off\"]}").statusCode())
                .isEqualTo(200);
        assertThat(beam("{\"sequence\":[\"outer\",\"inner\"]}").statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(3)).until(() -> occupancy().getJsonObject("beams").getLong("ignored") == 2);
        assertThat(occupancy().getInteger("count")).isEqualTo(2);
        assertThat(occupancy().getJsonObject("beams").getLong("passages")).isEqualTo(2L);
    }

    @Test
    void refusesBadSequencesWith400() throws Exception {
        for (String body : new String[] {"{\"sequence\":[]}", "{\"sequence\":[\"door\"]}", "{\"sequence\":\"outer\"}",
                "{\"sequence\":[1,2]}"}) {
            HttpResponse<Buffer> r = beam(body);
            assertThat(r.statusCode()).as(body).isEqualTo(400);
            assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("message")).startsWith("sequence:");
        }
    }
}
