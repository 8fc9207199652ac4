package org.yizhan.protocol;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The optional {@code position} block of telemetry: where a mobile station is. */
class TelemetryPositionTest {

    private static Telemetry decode(String json) throws ProtocolException {
        return Codec.decode(Channel.TELEMETRY, json.getBytes(StandardCharsets.UTF_8), Telemetry.class);
    }

    private static ProtocolException rejected(String position) {
        ProtocolException e = catchThrowableOfType(ProtocolException.class,
                () -> decode("{\"v\":1,\"ts\":1,\"position\":" + position + "}"));
        assertThat(e).as("telemetry with position %s must be rejected", position).isNotNull();
        return e;
    }

    @Test
    void readsThePositionAndWritesItBack() throws ProtocolException {
        Telemetry t = decode("{\"v\":1,\"ts\":1767225600000,\"position\":{\"lat\":30.2741,\"lon\":120.129,"
                + "\"accuracyM\":4.5}}");
        assertThat(t.position()).contains(new Telemetry.Position(30.2741, 120.129, OptionalDouble.of(4.5)));
        assertThat(Codec.decode(Channel.TELEMETRY, Codec.encode(t))).isEqualTo(t);
        Telemetry noAccuracy = decode("{\"v\":1,\"ts\":1,\"position\":{\"lat\":-33.8,\"lon\":151.2}}");
        assertThat(noAccuracy.position().orElseThrow().accuracyM()).isEmpty();
    }

    @Test
    void telemetryWithoutAPositionHasNoneAndWritesNone() throws ProtocolException {
        Telemetry t = new Telemetry(1, Optional.empty(), Optional.empty(), List.of(), Optional.empty(), List.of());
        assertThat(t.position()).isEmpty();
        assertThat(Codec.encode(t).toJsonObject().containsKey("position")).isFalse();
        assertThat(decode("{\"v\":1,\"ts\":1}").position()).isEmpty();
    }

    @Test
    void rejectsABadPositionNamingTheField() {
        assertThat(rejected("{\"lat\":91,\"lon\":120}").field()).isEqualTo("position.lat");
        assertThat(rejected("{\"lat\":30,\"lon\":-181}").field()).isEqualTo("position.lon");
        assertThat(rejected("{\"lon\":120}").field()).isEqualTo("position.lat");
        assertThat(rejected("{\"lat\":30}").field()).isEqualTo("position.lon");
        assertThat(rejected("{\"lat\":\"30\",\"lon\":120}").field()).isEqualTo("position.lat");
        assertThat(rejected("{\"lat\":30,\"lon\":120,\"accuracyM\":-1}").field()).isEqualTo("position.accuracyM");
        assertThat(rejected("[30,120]").field()).isEqualTo("position");
    }
}
