package org.yizhan.hub.auth;

import org.junit.jupiter.api.Test;
import org.yizhan.hub.http.ApiException;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class LoginLimitsTest {

    private static final String ATTACKER = "203.0.113.66";
    private static final String OWNER = "198.51.100.7";

    /** Fails attempts from the address for the user until one is refused; the time then. */
    private static long failUntilRefused(LoginLimits limits, String address, String user, long from) {
        long now = from;
        for (int i = 0; i < 1000; i++) {
            Optional<ApiException> refused = limits.refusal(address, user, now);
            if (refused.isPresent()) {
                return now;
            }
            limits.attempt(address, user, now);
            now += 10;
        }
        throw new AssertionError("never refused");
    }

    private static long retryAfter(LoginLimits limits, String address, String user, long now) {
        return limits.refusal(address, user, now).map(ApiException::retryAfterSeconds).orElse(0L);
    }

    @Test
    void anAddressGetsFiveFreeFailuresThenDelaysThatDoubleUpToFiveMinutes() {
        LoginLimits limits = new LoginLimits(5);
        long t = 0;
        for (int i = 0; i < 5; i++) {
            assertThat(limits.refusal(ATTACKER, "user-" + i, t)).as("free failure %d", i + 1).isEmpty();
            limits.attempt(ATTACKER, "user-" + i, t);
        }
        assertThat(limits.refusal(ATTACKER, "user-5", t)).as("five failures are still free").isEmpty();
        limits.attempt(ATTACKER, "user-5", t);
        assertThat(retryAfter(limits, ATTACKER, "user-6", t)).as("after the sixth failure").isEqualTo(1);
        long[] expected = {2, 4, 8, 16, 32, 64, 128, 256, 300, 300};
        for (long wait : expected) {
            t += 1000 * retryAfter(limits, ATTACKER, "user-x", t);
            assertThat(limits.refusal(ATTACKER, "user-x", t)).as("the wait is over").isEmpty();
            limits.attempt(ATTACKER, "user-" + t, t);
            assertThat(retryAfter(limits, ATTACKER, "user-y", t)).isEqualTo(wait);
        }
        assertThat(limits.refusal(OWNER, "user-x", t)).as("another address is not held back").isEmpty();
        assertThat(limits.refusal(ATTACKER, "user-x", t + LoginLimits.FORGET_AFTER_MS))
                .as("an hour without failures starts afresh").isEmpty();
    }

    @Test
    void aFloodForAnAccountFromOneAndFromManyAddressesDoesNotKeepItsOwnerOut() {
        LoginLimits limits = new LoginLimits(5);
        long t = failUntilRefused(limits, ATTACKER, "admin", 0);
        for (int i = 0; i < 200; i++) {
            String bot = "192.0.2." + i;
            t = failUntilRefused(limits, bot, "Admin", t);
            assertThat(retryAfter(limits, bot, "admin", t)).as("a bot's first failure on an account under attack")
                    .isEqualTo(1);
        }
        assertThat(limits.refusal(ATTACKER, "admin", t)).as("the attacker waits").isPresent();
        assertThat(limits.refusal(OWNER, "admin", t)).as("the owner, elsewhere, is let through").isEmpty();
        limits.attempt(OWNER, "admin", t);
        limits.succeeded(OWNER, "admin");
        assertThat(limits.refusal(OWNER, "admin", t)).as("and again").isEmpty();

        limits.attempt(OWNER, "admin", t);
        assertThat(retryAfter(limits, OWNER, "admin", t)).as("the owner's typo costs a second").isEqualTo(1);
        limits.attempt(OWNER, "admin", t + 1000);
        assertThat(retryAfter(limits, OWNER, "admin", t + 1000)).as("a second typo two").isEqualTo(2);
        assertThat(limits.refusal(OWNER, "admin", t + 3000)).isEmpty();
    }

    @Test
    void parallelAttemptsCountBeforeTheyAreChecked() {
        LoginLimits limits = new LoginLimits(2);
        limits.attempt(ATTACKER, "admin", 0);
        limits.attempt(ATTACKER, "admin", 0);
        limits.attempt(ATTACKER, "admin", 0);
        assertThat(limits.refusal(ATTACKER, "admin", 0)).as("three in flight, none answered yet").isPresent();
        limits.succeeded(ATTACKER, "admin");
        limits.succeeded(ATTACKER, "admin");
        limits.succeeded(ATTACKER, "admin");
        assertThat(limits.refusal(ATTACKER, "admin", 0)).as("all three were right").isEmpty();
    }
}
