package org.yizhan.hub.http;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RateLimiterTest {

    @Test
    void blocksAKeyAtTheLimitUntilTheOldestAttemptLeavesTheWindow() {
        RateLimiter limiter = new RateLimiter(3);
        limiter.record("a", 1_000);
        limiter.record("a", 2_000);
        assertThat(limiter.blockedFor("a", 2_500)).isEmpty();
        limiter.record("a", 3_000);
        assertThat(limiter.blockedFor("a", 3_000)).hasValue(58);
        assertThat(limiter.blockedFor("b", 3_000)).as("other keys are free").isEmpty();
        assertThat(limiter.blockedFor("a", 61_000)).as("first attempt left the window").isEmpty();
    }

    @Test
    void forgivenAttemptsDoNotCount() {
        RateLimiter limiter = new RateLimiter(2);
        limiter.record("a", 1_000);
        limiter.record("a", 2_000);
        assertThat(limiter.blockedFor("a", 2_000)).isPresent();
        limiter.forgive("a");
        assertThat(limiter.blockedFor("a", 2_000)).isEmpty();
    }

    @Test
    void pruneForgetsIdleKeys() {
        RateLimiter limiter = new RateLimiter(2);
        limiter.record("a", 0);
        limiter.record("b", 50_000);
        limiter.prune(70_000);
        assertThat(limiter.keys()).isEqualTo(1);
    }
}
