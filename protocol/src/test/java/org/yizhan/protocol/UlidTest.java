package org.yizhan.protocol;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UlidTest {

    @Test
    void makesValidTwentySixCharacterIds() {
        for (int i = 0; i < 1000; i++) {
            String id = Ulid.next();
            assertThat(id).hasSize(26).matches("[0-7][0-9A-HJKMNP-TV-Z]{25}");
            assertThat(Ulid.isValid(id)).as(id).isTrue();
        }
    }

    @Test
    void increasesMonotonicallyWithinOneMillisecond() {
        long ms = 1_767_225_600_123L;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            ids.add(Ulid.next(ms));
        }
        assertThat(ids).isSorted().doesNotHaveDuplicates();
        assertThat(ids).allSatisfy(id -> assertThat(Ulid.timestamp(id)).isEqualTo(ms));
    }

    @Test
    void sortsByCreationTimeAcrossMilliseconds() {
        String earlier = Ulid.next(1_000);
        String later = Ulid.next(1_001);
        assertThat(earlier).isLessThan(later);
    }

    @Test
    void isUniqueAcrossThreads() throws InterruptedException {
        List<String> ids = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread th = new Thread(() -> {
                for (int i = 0; i < 2000; i++) {
                    ids.add(Ulid.next());
                }
            });
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join();
        }
        assertThat(new HashSet<>(ids)).hasSize(8000);
    }

    @Test
    void timestampRoundTrips() {
        for (long ms : new long[]{0, 1, 1_767_225_600_000L, Codec.MAX_TS, (1L << 48) - 1}) {
            String id = Ulid.next(ms);
            assertThat(Ulid.isValid(id)).as(id).isTrue();
            assertThat(Ulid.timestamp(id)).as(id).isEqualTo(ms);
        }
        String now = Ulid.next();
        assertThat(Ulid.timestamp(now)).isCloseTo(System.currentTimeMillis(), org.assertj.core.data.Offset.offset(5_000L));
    }

    @Test
    void knowsTheCanonicalExampleId() {
        assertThat(Ulid.isValid("01ARYZ6S41TSV4RRFFQ69G5FAV")).isTrue();
        assertThat(Ulid.timestamp("01ARYZ6S41TSV4RRFFQ69G5FAV")).isEqualTo(1_469_918_176_385L);
    }

    @Test
    void rejectsMalformedIds() {
        String ok = Ulid.next(5);
        assertThat(Ulid.isValid(null)).isFalse();
        assertThat(Ulid.isValid("")).isFalse();
        assertThat(Ulid.isValid(ok.substring(1))).isFalse();
        assertThat(Ulid.isValid(ok + "0")).isFalse();
        assertThat(Ulid.isValid(ok.toLowerCase())).isFalse();
        assertThat(Ulid.isValid("8" + ok.substring(1))).as("beyond 48 bits of time").isFalse();
        for (char c : new char[]{'I', 'L', 'O', 'U', '-', ' '}) {
            assertThat(Ulid.isValid(ok.substring(0, 25) + c)).as("with %s", c).isFalse();
        }
    }

    @Test
    void refusesTimesItCannotEncodeAndIdsItCannotRead() {
        assertThatThrownBy(() -> Ulid.next(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Ulid.next(1L << 48)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Ulid.timestamp("not-a-ulid")).isInstanceOf(IllegalArgumentException.class);
    }
}
