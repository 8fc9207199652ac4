package org.yizhan.access;

import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EntryNonceTest {

    private static final byte[] HUB_SECRET = "0123456789abcdef0123456789abcdef".getBytes();

    @Test
    void hubAndStationComputeTheSameNonceFromTheDerivedKey() {
        byte[] key = EntryNonce.stationKey(HUB_SECRET, "east-gate");
        EntryNonce station = EntryNonce.ofBase64("east-gate", Base64.getEncoder().encodeToString(key)).orElseThrow();
        EntryNonce hub = EntryNonce.of("east-gate", EntryNonce.stationKey(HUB_SECRET, "east-gate"));
        long t = 1_790_000_000_000L;
        assertThat(station.nonceAt(t)).isEqualTo(hub.nonceAt(t)).matches(EntryNonce.FORM);
        assertThat(station.pathAt(t)).isEqualTo("/e/east-gate/" + hub.nonceAt(t));
    }

    @Test
    void nonceChangesEvery30SecondsAndDiffersBetweenStations() {
        EntryNonce a = EntryNonce.of("station-a", EntryNonce.stationKey(HUB_SECRET, "station-a"));
        EntryNonce b = EntryNonce.of("station-b", EntryNonce.stationKey(HUB_SECRET, "station-b"));
        long start = 1_790_000_010_000L - Math.floorMod(1_790_000_010_000L, 30_000);
        assertThat(a.nonceAt(start)).isEqualTo(a.nonceAt(start + 29_999));
        assertThat(a.nonceAt(start)).isNotEqualTo(a.nonceAt(start + 30_000));
        assertThat(a.nonceAt(start)).isNotEqualTo(b.nonceAt(start));
        Set<String> seen = new HashSet<>();
        for (long s = 0; s < 1000; s++) {
            seen.add(a.nonce(s));
        }
        assertThat(seen).hasSize(1000);
    }

    @Test
    void findsTheSlotANonceWasMadeForWithinTheSearchedRange() {
        EntryNonce a = EntryNonce.of("station-a", EntryNonce.stationKey(HUB_SECRET, "station-a"));
        assertThat(a.slotOfNonce(a.nonce(100), 101, 2)).contains(100L);
        assertThat(a.slotOfNonce(a.nonce(99), 101, 2)).isEmpty();
        assertThat(a.slotOfNonce("AAAAAAAAAAAA", 101, 20)).isEmpty();
    }

    @Test
    void refusesShortOrMalformedKeys() {
        assertThat(EntryNonce.ofBase64("s-1", "not base64!")).isEmpty();
        assertThat(EntryNonce.ofBase64("s-1", Base64.getEncoder().encodeToString(new byte[8]))).isEmpty();
        assertThatThrownBy(() -> EntryNonce.of("s-1", new byte[4])).hasMessageContaining("entryKey");
        assertThat(EntryNonce.of("s-1", new byte[16]).toString()).doesNotContain("AAAA");
    }
}
