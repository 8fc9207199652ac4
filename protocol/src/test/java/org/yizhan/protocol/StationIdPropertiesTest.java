package org.yizhan.protocol;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Topics#isValidStationId} checks characters in a loop because it runs on every message's topic; it must say
 * exactly what the contract's pattern {@code [a-z0-9-]{3,40}} says.
 */
class StationIdPropertiesTest {

    private static final Pattern CONTRACT = Pattern.compile("[a-z0-9-]{3," + Limits.STATION_ID_CHARS + "}");

    @Property(tries = 20_000)
    void theLoopAgreesWithTheContractsPattern(@ForAll("nearIds") String id) {
        assertThat(Topics.isValidStationId(id)).as("%s", id).isEqualTo(CONTRACT.matcher(id).matches());
    }

    @Property(tries = 5_000)
    void anyTextAtAll(@ForAll String id) {
        assertThat(Topics.isValidStationId(id)).as("%s", id).isEqualTo(CONTRACT.matcher(id).matches());
    }

    /** Half only the id alphabet (so lengths decide), half with characters just outside it, near the length limits. */
    @Provide
    Arbitrary<String> nearIds() {
        Arbitrary<String> alphabet = Arbitraries.strings().withChars("abcxyz0189-")
                .ofMinLength(0).ofMaxLength(Limits.STATION_ID_CHARS + 2);
        Arbitrary<String> mixed = Arbitraries.strings().withChars("abcxyz0189-`{/.:_A Z@\u00e9\u0000")
                .ofMinLength(0).ofMaxLength(Limits.STATION_ID_CHARS + 2);
        return Arbitraries.oneOf(alphabet, mixed);
    }
}
