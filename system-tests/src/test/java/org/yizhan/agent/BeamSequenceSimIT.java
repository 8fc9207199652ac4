package org.yizhan.agent;

import org.yizhan.testing.TestAgent;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
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

/** Raw beam sequences through {@code POST /sim/beam}, through the Pi4J mock inputs to the counter. */
@ExtendWith(VertxExtension.class)
class BeamSequenceSimIT {

    @TempDir
    Path dir;
    private TestAgent agent;

    @BeforeEach
    void setUp(Vertx vertx) throws Exception {
        agent = TestAgent.start(vertx, TestAgent.config("st-beam", 9, 1, 10), dir);
    }

    @AfterEach
    void tearDown() throws Exception {
        agent.stop();
    }

    private HttpResponse<Buffer> beam(String body) throws Exception {
        return agent.post("/sim/beam", body);
    }

    private JsonObject occupancy() throws Exception {
        return agent.status()
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
