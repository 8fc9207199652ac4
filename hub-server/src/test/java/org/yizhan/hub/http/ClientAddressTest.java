package org.yizhan.hub.http;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClientAddressTest {

    private static final IpRanges PROXIES = IpRanges.parse("10.0.0.0/8, 192.168.1.7, fd00::/8");

    @Test
    void forwardedForFromAnUntrustedPeerIsIgnored() {
        assertThat(ClientAddress.resolve("203.0.113.5", List.of("1.2.3.4"), PROXIES)).isEqualTo("203.0.113.5");
        assertThat(ClientAddress.resolve("203.0.113.5", List.of("1.2.3.4"), IpRanges.none())).isEqualTo("203.0.113.5");
        assertThat(ClientAddress.resolve("10.1.2.3", List.of(), PROXIES)).isEqualTo("10.1.2.3");
    }

    @Test
    void fromATrustedProxyTheRightMostUntrustedAddressIsTheClient() {
        // the client may write anything at the left; the proxies append what they saw
        assertThat(ClientAddress.resolve("10.0.0.1", List.of("6.6.6.6, 198.51.100.9, 10.2.2.2"), PROXIES))
                .isEqualTo("198.51.100.9");
        assertThat(ClientAddress.resolve("192.168.1.7", List.of("6.6.6.6", "198.51.100.9:4711"), PROXIES))
                .isEqualTo("198.51.100.9");
        assertThat(ClientAddress.resolve("fd00::1", List.of("[2001:db8::5]:443"), PROXIES)).isEqualTo("2001:db8::5");
        assertThat(ClientAddress.resolve("10.0.0.1", List.of("10.3.3.3"), PROXIES)).isEqualTo("10.3.3.3");
        assertThat(ClientAddress.resolve("10.0.0.1", List.of("nonsense, 10.3.3.3"), PROXIES)).isEqualTo("10.3.3.3");
        assertThat(ClientAddress.resolve("10.0.0.1", List.of("evil.example"), PROXIES)).isEqualTo("10.0.0.1");
    }

    @Test
    void rangesMatchByPrefixAndRefuseNamesAndBadPrefixes() {
        assertThat(PROXIES.contains("10.255.0.1")).isTrue();
        assertThat(PROXIES.contains("11.0.0.1")).isFalse();
        assertThat(PROXIES.contains("192.168.1.8")).isFalse();
        assertThat(PROXIES.contains("::ffff:10.0.0.1")).isTrue();
        assertThat(PROXIES.contains("fd12::1")).isTrue();
        assertThat(PROXIES.contains("localhost")).isFalse();
        assertThat(IpRanges.parse(" ").isEmpty()).isTrue();
        assertThatThrownBy(() -> IpRanges.parse("10.0.0.0/33")).hasMessageContaining("prefix length must be 0 to 32");
        assertThatThrownBy(() -> IpRanges.parse("proxy.example")).hasMessageContaining("not an IP address");
        assertThatThrownBy(() -> IpRanges.parse("300.1.1.1")).hasMessageContaining("not an IP address");
    }
}
