package org.yizhan.testing;

import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The hub's station list ({@code GET /api/v1/stations}, what the stations page shows) as tests read it. */
public final class StationList {

    private StationList() {
    }

    /** Waits until the list has every station, each online. */
    public static void awaitAllOnline(Http api, List<String> ids, Duration within) {
        await("every station online").atMost(within).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertAllOnline(api, ids));
    }

    /** The list has every station, each online. */
    public static void assertAllOnline(Http api, List<String> ids) throws Exception {
        Http.Response r = api.get("/api/v1/stations");
        assertThat(r.status()).as("stations: %s", r.body()).isEqualTo(200);
        Map<String, String> presence = new HashMap<>();
        for (Object o : r.body().getJsonArray("stations")) {
            JsonObject s = (JsonObject) o;
            presence.put(s.getString("id"), s.getJsonObject("presence", new JsonObject()).getString("state"));
        }
        for (String id : ids) {
            assertThat(presence).as("stations listed").containsEntry(id, "online");
        }
    }
}
