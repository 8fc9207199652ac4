package org.yizhan.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StationConfigEntryKeyTest {

    private static final String KEY = "ZW50cnkta2V5LWZvci10ZXN0cy0wMTIzNDU2Nzg5YWI=";

    private static StationConfig base() throws Exception {
        return StationConfig.defaults("entry-1", "Entry", "http://hub", new StationConfig.Mqtt("hub", 1883, false,
                "entry-1", "pw", 30), "simulated", 1, 10, 10, 30);
    }

    @Test
    void entryKeyIsOptionalAndRoundTripsButNeverShowsInToString() throws Exception {
        assertThat(base().access().entryKey()).isEmpty();
        StationConfig c = base().withAccess(base().access().withEntryKey(KEY));
        StationConfig back = StationConfig.parse(c.toJson());
        assertThat(back.access().entryKey()).contains(KEY);
        assertThat(back.access().hubKeys()).isEqualTo(c.access().hubKeys());
        assertThat(back.toString()).doesNotContain(KEY).contains("entryKey=***");
    }

    @Test
    void badEntryKeyIsNamed() throws Exception {
        for (Object bad : new Object[]{"not base64!", "c2hvcnQ=", 42}) {
            JsonObject json = base().toJson();
            json.getJsonObject("access").put("entryKey", bad);
            assertThatThrownBy(() -> StationConfig.parse(json)).as(String.valueOf(bad))
                    .hasMessageContaining("access.entryKey");
        }
    }
}
