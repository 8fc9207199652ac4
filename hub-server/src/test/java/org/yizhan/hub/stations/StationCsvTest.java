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
}
