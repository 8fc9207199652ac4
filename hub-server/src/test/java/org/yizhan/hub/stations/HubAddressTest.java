package org.yizhan.hub.stations;

import org.junit.jupiter.api.Test;
import org.yizhan.protocol.ClaimQr;
import org.yizhan.testing.TestCerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The CA pin a claim QR carries is the SHA-256 of the first certificate of {@code tls-ca}, as the station checks it. */
class HubAddressTest {

    @Test
    void pinsTheFirstCertificateOfTheCaFile() throws Exception {
        TestCerts.Authority union = TestCerts.authority("Union CA");
        TestCerts.Authority other = TestCerts.authority("Other CA");
        String pin = HubAddress.pin(union.pem() + other.pem());
        assertThat(pin).isEqualTo(ClaimQr.pinOf(union.certificate().getEncoded()))
                .isNotEqualTo(ClaimQr.pinOf(other.certificate().getEncoded()));
    }

    @Test
    void refusesACaFileWithoutCertificate() {
        assertThatThrownBy(() -> HubAddress.pin("not a certificate")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tls-ca");
    }
}
