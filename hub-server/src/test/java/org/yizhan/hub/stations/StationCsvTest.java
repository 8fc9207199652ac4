package org.yizhan.hub.stations;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Station files as spreadsheets save them: the rows a spreadsheet shows, quotes, line breaks, a BOM, and what fails. */
class StationCsvTest {

    @Test
    void keepsTheRowEachRecordStartsOnAcrossBlankLinesAndLineBreaksInQuotes() throws Exception {
        List<StationCsv.Row> rows = StationCsv.read("\uFEFFname,address\r\n\"湖滨驿站, 二号\",\"上城区\n湖滨路 2 号\"\r\n"
                + "\r\n钱江驿站,\"说 \"\"你好\"\"\"\n,\n", 100);
        assertThat(rows).extracting(StationCsv.Row::number).containsExactly(1, 2, 5);
        assertThat(rows.get(0).cells()).containsExactly("name", "address");
        assertThat(rows.get(1).cells()).containsExactly("湖滨驿站, 二号", "上城区\n湖滨路 2 号");
        assertThat(rows.get(2).cells()).containsExactly("钱江驿站", "说 \"你好\"");
    }

    @Test
    void stopsPastTheMostRecordsAsked() throws Exception {
        assertThat(StationCsv.read("a\nb\nc\nd\ne\n", 2)).hasSize(3);
    }

    @Test
    void namesTheRowOfAQuoteLeftOpenOrTextAfterAClosingQuote() {
        assertThatThrownBy(() -> StationCsv.read("name,address\nx,\"open\nstill open", 100))
                .isInstanceOf(StationCsv.Malformed.class).hasMessage("row 2: a quoted field is not closed (a \" is missing)");
        assertThatThrownBy(() -> StationCsv.read("name,address\n\n\"a\"b,c\n", 100))
                .isInstanceOf(StationCsv.Malformed.class).hasMessageStartingWith("row 3: text follows a closing quote");
    }

    @Test
    void writesWhatItReadsBackWithABomAndNoFormulaForASpreadsheetToRun() throws Exception {
        String text = StationCsv.write(List.of("id", "name", "district", "lat"), List.of(
                List.of("st-1", "湖滨驿站, 二号", "上城区", "-30.5"),
                List.of("st-2", "=HYPERLINK(\"http://x\")", "@区", "+1")));
        assertThat(text).startsWith("\uFEFFid,name,district,lat\r\n");
        List<StationCsv.Row> rows = StationCsv.read(text, 10);
        assertThat(rows.get(1).cells()).containsExactly("st-1", "湖滨驿站, 二号", "上城区", "-30.5");
        assertThat(rows.get(2).cells()).containsExactly("st-2", "'=HYPERLINK(\"http://x\")", "'@区", "+1");
    }

    @Test
    void importsAnOptionalDistrictColumn() throws Exception {
        List<StationCsv.Row> rows = StationCsv.read("name,address,lat,lon,profile,ports,capacity,district\n"
                + "文三路驿站,文三路 1 号,30.28,120.13,simulated,0,10, 西湖区 \n"
                + "江南驿站,江南大道 2 号,30.2,120.2,simulated,0,10,\n"
                + "长驿站,x,30.2,120.2,simulated,0,10," + "区".repeat(101) + "\n", 10);
        StationImport.Result r = StationImport.check(rows, java.util.Map.of("simulated", 4));
        assertThat(r.problems()).singleElement().satisfies(p ->
                assertThat(p.message()).isEqualTo("row 4, district: is longer than 100 characters"));
        StationImport.Result ok = StationImport.check(rows.subList(0, 3), java.util.Map.of("simulated", 4));
        assertThat(ok.lines()).extracting(l -> l.station().district())
                .containsExactly(java.util.Optional.of("西湖区"), java.util.Optional.empty());
    }
}
