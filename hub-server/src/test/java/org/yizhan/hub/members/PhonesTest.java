package org.yizhan.hub.members;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The ways riders type one mobile number all name it; anything else is no number. */
class PhonesTest {

    @ParameterizedTest
    @ValueSource(strings = {"13800138000", "+86 138 0013 8000", "+8613800138000", "0086-138-0013-8000",
            "86 13800138000", " 138-0013-8000 ", "(138) 0013 8000"})
    void writingsOfOneNumberAreOneNumber(String typed) {
        assertThat(Phones.normalise(typed)).as(typed).contains("13800138000");
    }

    @ParameterizedTest
    @ValueSource(strings = {"12345", "23800138000", "12800138000", "1380013800", "138001380000", "+1 138 0013 8000",
            "138o0138000", "+86", ""})
    void anythingElseIsNoNumber(String typed) {
        assertThat(Phones.normalise(typed)).as(typed).isEmpty();
    }
}
