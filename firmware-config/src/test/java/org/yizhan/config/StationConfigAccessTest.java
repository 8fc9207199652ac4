package org.yizhan.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The optional {@code access} block: hub pass keys, clock skew, opening hours. */
class StationConfigAccessTest {

    private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);

    private static StationConfig base() throws ConfigException {
        return StationConfig.defaults("st-acc", "Access", "http://hub:8080",
                new StationConfig.Mqtt("hub", 1883, false, "st-acc", "pw", 30), "simulated", 1, 10, 10, 30);
    }

    @Test
    void configurationWithoutAccessBlockGetsTheDefaults() throws Exception {
        JsonObject json = base().toJson();
        json.remove("access");
        StationConfig c = StationConfig.parse(json);
        assertThat(c.access()).isEqualTo(StationConfig.Access.DEFAULTS);
        assertThat(c.access().openingHours()).isEqualTo("00:00-24:00");
        assertThat(c.access().clockSkewSeconds()).isEqualTo(30);
    }

    @Test
    void hubKeysAndHoursSurviveTheJsonRoundTrip() throws Exception {
        StationConfig c = base().withAccess(StationConfig.Access.DEFAULTS
                .withHubKeys(List.of(new StationConfig.HubKey(3, KEY))).withOpeningHours("22:00-06:00"));
        StationConfig back = StationConfig.parse(c.toJson().encode());
        assertThat(back.access().hubKeys()).containsExactly(new StationConfig.HubKey(3, KEY));
        assertThat(back.access().openingHours()).isEqualTo("22:00-06:00");
        assertThat(back).isEqualTo(c);
    }

    @Test
    void badAccessSettingsAreNamedByPath() throws Exception {
        JsonObject json = base().toJson().put("access", new JsonObject()
                .put("hubKeys", new JsonArray().add(new JsonObject().put("kid", 1).put("publicKey", "c2hvcnQ="))
                        .add(new JsonObject().put("kid", 2).put("publicKey", KEY))
                        .add(new JsonObject().put("kid", 2).put("publicKey", KEY)))
                .put("clockSkewSeconds", 9999).put("openingHours", "25:00-06:00").put("timeZone", "Mars/Base"));
        assertThatThrownBy(() -> StationConfig.parse(json)).isInstanceOfSatisfying(ConfigException.class, e ->
                assertThat(e.problems()).anyMatch(p -> p.startsWith("access.hubKeys[0].publicKey"))
                        .anyMatch(p -> p.startsWith("access.hubKeys[2].kid"))
                        .anyMatch(p -> p.startsWith("access.clockSkewSeconds"))
                        .anyMatch(p -> p.startsWith("access.openingHours"))
                        .anyMatch(p -> p.startsWith("access.timeZone")));
    }
}
