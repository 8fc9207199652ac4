package org.yizhan.hub.stations;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.yizhan.testing.fuzz.Corpus;
import org.yizhan.testing.fuzz.Mutations;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzing the station import: any text is read as CSV records or refused as malformed with its row named, and the
 * records are stations or problems that each name their row; never a crash. Seeds in
 * {@code src/test/resources/fuzz/station-csv/}.
 */
class StationCsvFuzzTest {

    private static final Corpus CORPUS = Corpus.load("station-csv");
    private static final Map<String, Integer> PROFILES = Map.of("pi4b-standard", 4, "pi5-standard", 4, "simulated", 8);

    @Provide
    Arbitrary<String> files() {
        return Arbitraries.oneOf(Mutations.textOf(CORPUS), Arbitraries.strings().withChars(",\"\r\n ab1.-").ofMaxLength(80));
    }

    @Property
    void anyFileIsStationsOrProblemsThatNameTheirRow(@ForAll("files") String text) {
        List<StationCsv.Row> rows;
        try {
            rows = StationCsv.read(text, StationImport.MAX_ROWS + 1);
        } catch (StationCsv.Malformed e) {
            assertThat(e.getMessage()).as("names the row").containsPattern("row \\d+");
            Statistics.label("outcome").collect("malformed");
            return;
        }
        int lastRow = 0;
        for (StationCsv.Row r : rows) {
            assertThat(r.number()).as("rows in order").isGreaterThan(lastRow);
            lastRow = r.number();
        }
        StationImport.Result result = StationImport.check(rows, PROFILES);
        if (result.ok()) {
            Statistics.label("outcome").collect("stations");
            assertThat(result.lines()).hasSize(rows.size() - 1);
        } else {
            Statistics.label("outcome").collect("problems");
            for (StationImport.Problem p : result.problems()) {
                assertThat(p.message()).startsWith("row " + p.row()).hasSizeLessThan(1000);
                assertThat(p.row()).isPositive();
            }
        }
        Statistics.label("outcome").coverage(c -> c.check("stations").percentage(p -> p >= 1));
    }
}
