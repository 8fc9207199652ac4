package org.yizhan.testing;

import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The events a hub stored for one station, read through {@code GET /api/v1/events} page by page: what the fault
 * tests count lost and duplicated events against.
 *
 * @param events every listed event, in the order listed
 * @param duplicates how many listings repeated an id already listed
 */
public record StoredEvents(List<JsonObject> events, int duplicates) {

    /** A GET on the hub's API answering the JSON body; fails on anything but 200. */
    @FunctionalInterface
    public interface Api {
        JsonObject get(String path) throws Exception;
    }

    /** The API through a logged-in {@link Http} client. */
    public static Api of(Http http) {
        return path -> {
            Http.Response r = http.get(path);
            assertThat(r.status()).as("GET %s: %s", path, r.body()).isEqualTo(200);
            return r.body();
        };
    }

    /** The API of an in-process hub, as admin. */
    public static Api of(TestHub hub) {
        return path -> hub.call("GET", path, hub.adminToken(), null);
    }

    /** Every stored event of the station with one of the types. */
    public static StoredEvents read(Api api, String stationId, String... types) throws Exception {
        List<JsonObject> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int duplicates = 0;
        for (String type : types) {
            String after = null;
            for (int page = 0; page < 100_000; page++) {
                JsonObject body = api.get("/api/v1/events?stationId=" + stationId + "&type=" + type + "&limit=100"
                        + (after == null ? "" : "&after=" + after));
                for (Object o : body.getJsonArray("events")) {
                    JsonObject e = (JsonObject) o;
                    if (!seen.add(e.getString("id"))) {
                        duplicates++;
                    }
                    out.add(e);
                }
                after = body.getString("next");
                if (after == null) {
                    break;
                }
            }
        }
        return new StoredEvents(List.copyOf(out), duplicates);
    }

    public Set<String> ids() {
        Set<String> ids = new HashSet<>();
        events.forEach(e -> ids.add(e.getString("id")));
        return ids;
    }

    public int count(String type) {
        return (int) events.stream().filter(e -> type.equals(e.getString("type"))).count();
    }

    public Map<String, Integer> byType() {
        Map<String, Integer> m = new HashMap<>();
        events.forEach(e -> m.merge(e.getString("type"), 1, Integer::sum));
        return m;
    }
}
