package org.yizhan.hub.http;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Numbers in request bodies as JSON spells them, read by {@link JsonBody}'s checked readers. */
class JsonBodyTest {

    /** Found by HttpBodiesFuzzIT's long run: {@code 61e9990} is read as infinity and answered 500. */
    @ParameterizedTest
    @ValueSource(strings = {"61e9990", "-1e999", "1e400"})
    void aNumberTooLargeForADoubleIsRefusedByName(String number) {
        JsonBody body = JsonBody.of(new JsonObject("{\"ttlSeconds\":" + number + "}"));
        assertThatThrownBy(() -> body.integer("ttlSeconds", 1, 86_400, 60))
                .isInstanceOf(ApiException.class)
                .hasMessage("ttlSeconds: must be a whole number from 1 to 86400");
    }

    @ParameterizedTest
    @ValueSource(strings = {"61", "61.0", "6.1e1", "61E0"})
    void aWholeNumberIsReadHoweverItIsSpelled(String number) {
        JsonBody body = JsonBody.of(new JsonObject("{\"ttlSeconds\":" + number + "}"));
        assertThat(body.integer("ttlSeconds", 1, 86_400, 60)).isEqualTo(61);
    }

    @ParameterizedTest
    @ValueSource(strings = {"61.5", "0", "86401", "\"61\"", "true"})
    void anythingElseIsRefusedByName(String value) {
        JsonBody body = JsonBody.of(new JsonObject("{\"ttlSeconds\":" + value + "}"));
        assertThatThrownBy(() -> body.integer("ttlSeconds", 1, 86_400, 60))
                .isInstanceOf(ApiException.class)
                .hasMessageStartingWith("ttlSeconds: ");
    }
}
