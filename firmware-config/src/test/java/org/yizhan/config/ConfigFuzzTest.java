package org.yizhan.config;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.yizhan.testing.fuzz.Corpus;
import org.yizhan.testing.fuzz.Mutations;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Fuzzing the station's configuration file: any text is a configuration that survives its own round trip, or a
 * {@link ConfigException} whose every problem names its setting ({@code path: what is wrong}); never a crash.
 * Seeds in {@code src/test/resources/fuzz/config/}.
 */
class ConfigFuzzTest {

    private static final Corpus CORPUS = Corpus.load("config");

    @Provide
    Arbitrary<String> configs() {
        return Mutations.textOf(CORPUS);
    }

    @Property
    void anyConfigurationIsReadOrEveryProblemIsNamed(@ForAll("configs") String text) {
        StationConfig config;
        try {
            config = StationConfig.parse(text);
        } catch (ConfigException e) {
            assertThat(e.problems()).isNotEmpty();
            for (String problem : e.problems()) {
                assertThat(problem).as("a problem that names its setting").matches("(?s)[$A-Za-z][A-Za-z0-9_.\\[\\]$-]*: .+")
                        .hasSizeLessThan(600);
            }
            Statistics.label("outcome").collect("refused");
            Statistics.label("outcome").coverage(c -> c.check("read").percentage(p -> p >= 1));
            return;
        } catch (RuntimeException | StackOverflowError e) {
            fail("parsing threw " + e + " for: " + text, e);
            return;
        }
        Statistics.label("outcome").collect("read");
        try {
            assertThat(StationConfig.parse(config.toJson()).toJson()).as("read, written and read again")
                    .isEqualTo(config.toJson());
        } catch (ConfigException e) {
            fail("a configuration it wrote is refused: " + e.problems());
        }
    }

    @Property
    void seedsAreValid(@ForAll("seeds") byte[] seed) throws ConfigException {
        assertThat(StationConfig.parse(new String(seed, StandardCharsets.UTF_8))).isNotNull();
    }

    @Provide
    Arbitrary<byte[]> seeds() {
        return net.jqwik.api.Arbitraries.of(List.copyOf(CORPUS.seeds()));
    }
}
