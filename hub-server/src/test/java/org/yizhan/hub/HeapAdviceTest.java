package org.yizhan.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.yizhan.hub.HeapAdvice.MIB;

import org.junit.jupiter.api.Test;

class HeapAdviceTest {

    @Test
    void fifteenThousandStationsWithTheEmbeddedStoresFitTheHeapTheyWereMeasuredIn() {
        // the fleet bench: 15,000 stations connected, embedded QuestDB and H2, 189 MB live in a 321 MB heap
        long needed = HeapAdvice.neededBytes(15_000, true, true);
        assertThat(needed).isBetween(300 * MIB, 340 * MIB);
        assertThat(HeapAdvice.warning(15_000, true, true, 512 * MIB)).isEmpty();
        assertThat(HeapAdvice.warning(15_000, true, true, 256 * MIB)).hasValueSatisfying(w -> assertThat(w)
                .contains("15000 stations", "maximum heap is 256 MiB", "-Xmx320m", "ts-engine=questdb"));
    }

    @Test
    void theStoresOutsideTheHubNeedLessHeap() {
        long outside = HeapAdvice.neededBytes(15_000, true, false);
        assertThat(outside).isBetween(200 * MIB, 240 * MIB);
        assertThat(HeapAdvice.neededBytes(15_000, true, true) - outside).isBetween(80 * MIB, 120 * MIB);
        assertThat(HeapAdvice.warning(15_000, true, false, 256 * MIB)).isEmpty();
    }

    @Test
    void stationsBehindABrokerCostTheHubLess() {
        // a brokered station costs the hub its state only, not a connection's 3 KB
        assertThat(HeapAdvice.neededBytes(15_000, true, false) - HeapAdvice.neededBytes(15_000, false, false))
                .isBetween(60 * MIB, 80 * MIB);
        assertThat(HeapAdvice.warning(50_000, false, false, 320 * MIB)).isEmpty();
    }

    @Test
    void aSmallFleetNeedsLittleAndTheSuggestionIsRoundedUpToThirtyTwoMib() {
        assertThat(HeapAdvice.warning(500, true, true, 256 * MIB)).isEmpty();
        assertThat(HeapAdvice.warning(2_000, true, false, 64 * MIB)).hasValueSatisfying(w -> assertThat(w)
                .contains("needs about 95 MiB", "-Xmx96m").doesNotContain("QuestDB"));
    }

    @Test
    void aNegativeCountIsRefused() {
        assertThatThrownBy(() -> HeapAdvice.neededBytes(-1, true, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
    }
}
