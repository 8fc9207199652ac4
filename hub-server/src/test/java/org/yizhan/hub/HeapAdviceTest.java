package org.yizhan.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.yizhan.hub.HeapAdvice.MIB;

import org.junit.jupiter.api.Test;

class HeapAdviceTest {

    @Test
    void fifteenThousandStationsWithTheStoresOutsideFitTheHeapTheyWereMeasuredIn() {
        // the fleet bench: 15,000 stations connected, time series in a QuestDB server, 187 MB live, heap ~306-320 MB
        assertThat(HeapAdvice.neededBytes(15_000, true, false)).isBetween(290 * MIB, 320 * MIB);
        assertThat(HeapAdvice.warning(15_000, true, false, 320 * MIB)).isEmpty();
    }

    @Test
    void theEmbeddedQuestDbAtFifteenThousandStationsAsksForMore() {
        long needed = HeapAdvice.neededBytes(15_000, true, true);
        assertThat(needed).isGreaterThan(320 * MIB).isLessThan(512 * MIB);
        assertThat(HeapAdvice.warning(15_000, true, true, 320 * MIB)).hasValueSatisfying(w -> assertThat(w)
                .contains("15000 stations", "maximum heap is 320 MiB", "-Xmx416m", "ts-engine=questdb"));
        assertThat(HeapAdvice.warning(15_000, true, true, 512 * MIB)).isEmpty();
    }

    @Test
    void stationsBehindABrokerCostTheHubLess() {
        assertThat(HeapAdvice.neededBytes(15_000, false, false))
                .isLessThan(HeapAdvice.neededBytes(15_000, true, false) / 2);
        assertThat(HeapAdvice.warning(50_000, false, false, 320 * MIB)).isEmpty();
    }

    @Test
    void aSmallFleetNeedsLittleAndTheSuggestionIsRoundedUpToThirtyTwoMib() {
        assertThat(HeapAdvice.warning(500, true, true, 256 * MIB)).isEmpty();
        assertThat(HeapAdvice.warning(2_000, true, false, 64 * MIB)).hasValueSatisfying(w -> assertThat(w)
                .contains("needs about 108 MiB", "-Xmx128m").doesNotContain("QuestDB"));
    }

    @Test
    void aNegativeCountIsRefused() {
        assertThatThrownBy(() -> HeapAdvice.neededBytes(-1, true, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
    }
}
