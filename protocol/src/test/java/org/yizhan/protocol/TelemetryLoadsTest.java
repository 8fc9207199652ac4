package org.yizhan.protocol;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The optional {@code loads} block of telemetry: room loads and whether each is on. */
class TelemetryLoadsTest {

    private static Telemetry decode(String json) throws ProtocolException {
        return Codec.decode(Channel.TELEMETRY, json.getBytes(StandardCharsets.UTF_8), Telemetry.class);
    }

    private static ProtocolException rejected(String loads) {
        ProtocolException e = catchThrowableOfType(ProtocolException.class,
                () -> decode("{\"v\":1,\"ts\":1,\"loads\":" + loads + "}"));
        assertThat(e).as("telemetry with loads %s must be rejected", loads).isNotNull();
        return e;
    }

    @Test
    void readsTheLoadsBlockAndWritesItBack() throws ProtocolException {
        Telemetry t = decode("{\"v\":1,\"ts\":1767225600000,\"loads\":[{\"name\":\"lights\",\"on\":false,"
                + "\"since\":1767222000000},{\"name\":\"water-heater\",\"on\":true,\"since\":1767200000000}]}");
        assertThat(t.loads()).containsExactly(new Telemetry.Load("lights", false, 1_767_222_000_000L),
                new Telemetry.Load("water-heater", true, 1_767_200_000_000L));
        assertThat(Codec.decode(Channel.TELEMETRY, Codec.encode(t))).isEqualTo(t);
    }

    @Test
    void telemetryWithoutLoadsHasNoneAndWritesNone() throws ProtocolException {
        Telemetry t = new Telemetry(1, Optional.empty(), Optional.empty(), List.of(), Optional.empty());
        assertThat(t.loads()).isEmpty();
        assertThat(Codec.encode(t).toJsonObject().containsKey("loads")).isFalse();
        assertThat(decode("{\"v\":1,\"ts\":1}").loads()).isEmpty();
    }

    @Test
    void rejectsABadLoadsBlockNamingTheField() {
        ProtocolException twice = rejected("[{\"name\":\"lights\",\"on\":true,\"since\":1},"
                + "{\"name\":\"lights\",\"on\":false,\"since\":2}]");
        assertThat(twice.field()).isEqualTo("loads[1].name");
        assertThat(twice.getMessage()).isEqualTo("loads[1].name: load 'lights' is listed twice");
        assertThat(rejected("[{\"name\":\"Lights\",\"on\":true,\"since\":1}]").field()).isEqualTo("loads[0].name");
        assertThat(rejected("[{\"name\":\"lights\",\"on\":\"yes\",\"since\":1}]").field()).isEqualTo("loads[0].on");
        assertThat(rejected("[{\"name\":\"lights\",\"on\":true}]").field()).isEqualTo("loads[0].since");
        assertThat(rejected("[{\"name\":\"lights\",\"on\":true,\"since\":-5}]").reason()).isEqualTo("range");
        assertThat(rejected("[\"lights\"]").field()).isEqualTo("loads[0]");
        assertThat(rejected("{\"lights\":true}").field()).isEqualTo("loads");
        StringBuilder many = new StringBuilder("[");
        for (int i = 0; i <= Telemetry.MAX_LOADS; i++) {
            many.append(i == 0 ? "" : ",").append("{\"name\":\"l").append(i).append("\",\"on\":true,\"since\":1}");
        }
        assertThat(rejected(many.append("]").toString()).getMessage()).isEqualTo("loads: must list at most 16 loads");
    }
}
