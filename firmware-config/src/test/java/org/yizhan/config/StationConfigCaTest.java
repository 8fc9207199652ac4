package org.yizhan.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.yizhan.testing.TestCerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The hub's CA in {@code mqtt.caPem}: kept through JSON, checked as X.509, optional for older files. */
class StationConfigCaTest {

    private static StationConfig base() throws ConfigException {
        return StationConfig.defaults("st-ca-1", "CA", "https://hub.example.org",
                new StationConfig.Mqtt("hub.example.org", 8883, true, "st-ca-1", "pw-pw-pw", 30), "simulated", 1, 10,
                10, 30);
    }

    @Test
    void keepsTheCaThroughJson() throws Exception {
        String pem = TestCerts.authority("Union CA").pem();
        StationConfig c = base().withMqtt(base().mqtt().withCaPem(pem));
        StationConfig back = StationConfig.parse(c.toJson());
        assertThat(back.mqtt().caPem()).contains(pem);
        assertThat(back.mqtt().toString()).doesNotContain("BEGIN");
    }

    @Test
    void olderFilesWithoutCaStayValid() throws Exception {
        JsonObject json = base().toJson();
        assertThat(json.getJsonObject("mqtt").containsKey("caPem")).isFalse();
        assertThat(StationConfig.parse(json).mqtt().caPem()).isEmpty();
    }

    @Test
    void refusesACaThatIsNotACertificate() throws Exception {
        for (Object bad : new Object[]{"not a certificate", 42,
                "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "x".repeat(70_000)}) {
            JsonObject json = base().toJson();
            json.getJsonObject("mqtt").put("caPem", bad);
            ConfigException e = catchThrowableOfType(ConfigException.class, () -> StationConfig.parse(json));
            assertThat(e).as("caPem %s", String.valueOf(bad).substring(0, Math.min(20, String.valueOf(bad).length())))
                    .isNotNull();
            assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("mqtt.caPem:"));
        }
    }
}
