package org.yizhan.hub.stations;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ClaimCodesTest {

    @Test
    void codesUseTenSymbolsWithoutLookAlikes() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            String c = ClaimCodes.generate();
            assertThat(c).matches("[2-9A-HJ-NP-Z]{10}").doesNotContain("0", "O", "1", "I");
            seen.add(c);
        }
        assertThat(seen).as("random enough not to repeat").hasSize(2000);
        assertThat(Math.log(ClaimCodes.ALPHABET.length()) / Math.log(2) * ClaimCodes.LENGTH).isGreaterThanOrEqualTo(40);
    }

    @Test
    void acceptsCodesWithOrWithoutDashInAnyCase() {
        assertThat(ClaimCodes.normalize("abcde-23456")).hasValue("ABCDE23456");
        assertThat(ClaimCodes.normalize("ABCDE23456")).hasValue("ABCDE23456");
        assertThat(ClaimCodes.normalize(" abc de 234 56 ")).hasValue("ABCDE23456");
        assertThat(ClaimCodes.display("ABCDE23456")).isEqualTo("ABCDE-23456");
    }

    @Test
    void refusesWrongLengthAndLookAlikes() {
        assertThat(ClaimCodes.normalize("ABCDE-2345")).isEmpty();
        assertThat(ClaimCodes.normalize("ABCDE-234567")).isEmpty();
        assertThat(ClaimCodes.normalize("ABCD0-23456")).isEmpty();
        assertThat(ClaimCodes.normalize("ABCDI-23456")).isEmpty();
        assertThat(ClaimCodes.normalize("")).isEmpty();
    }
}
