package org.yizhan.hub.mqtt;

import org.junit.jupiter.api.Test;
import org.yizhan.hub.http.IpRanges;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectLimiterTest {

    private final AtomicLong now = new AtomicLong(1_000_000);

    private ConnectLimiter limiter(int perSecond, int burst, String exempt) {
        return new ConnectLimiter(new ConnectLimits(5, perSecond, burst, IpRanges.parse(exempt)), now::get);
    }

    private static int admitted(ConnectLimiter l, String address, int attempts) {
        int n = 0;
        for (int i = 0; i < attempts; i++) {
            if (l.admit(address)) {
                n++;
            }
        }
        return n;
    }

    @Test
    void admitsTheBurstThenTheRefillRate() {
        ConnectLimiter l = limiter(5, 10, "");
        assertThat(admitted(l, "203.0.113.7", 100)).as("the burst at once").isEqualTo(10);
        now.addAndGet(1_000);
        assertThat(admitted(l, "203.0.113.7", 100)).as("a second later, the refill").isEqualTo(5);
        now.addAndGet(60_000);
        assertThat(admitted(l, "203.0.113.7", 100)).as("after a long pause, no more than the burst").isEqualTo(10);
    }

    @Test
    void countsEachAddressOnItsOwnAndNeverAnExemptOne() {
        ConnectLimiter l = limiter(1, 3, "127.0.0.1, 10.0.0.0/8");
        assertThat(admitted(l, "203.0.113.7", 10)).isEqualTo(3);
        assertThat(admitted(l, "203.0.113.8", 10)).as("another address has its own budget").isEqualTo(3);
        assertThat(admitted(l, "127.0.0.1", 1000)).isEqualTo(1000);
        assertThat(admitted(l, "10.20.30.40", 1000)).isEqualTo(1000);
        assertThat(l.addresses()).as("exempt addresses take no room").isEqualTo(2);
    }

    @Test
    void countsIpv6PerSlash64() {
        ConnectLimiter l = limiter(1, 3, "");
        assertThat(admitted(l, "2001:db8:1:2::1", 2)).isEqualTo(2);
        assertThat(admitted(l, "2001:db8:1:2:ffff::9", 5)).as("same /64, same budget").isEqualTo(1);
        assertThat(admitted(l, "2001:db8:1:3::1", 5)).as("another /64").isEqualTo(3);
        assertThat(ConnectLimiter.key("2001:db8:1:2::1")).isEqualTo("20010db800010002::/64");
        assertThat(ConnectLimiter.key("198.51.100.4")).isEqualTo("198.51.100.4");
    }

    @Test
    void keepsABoundedTable() {
        ConnectLimiter l = limiter(1, 1, "");
        for (int i = 0; i < ConnectLimiter.MAX_ADDRESSES + 1000; i++) {
            l.admit("10." + (i >> 16 & 0xff) + "." + (i >> 8 & 0xff) + "." + (i & 0xff));
        }
        assertThat(l.addresses()).isEqualTo(ConnectLimiter.MAX_ADDRESSES);
    }
}
