package org.yizhan.protocol;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The claim QR's text: what the hub draws, the kiosk reads back exactly, and everything else is refused clearly. */
class ClaimQrTest {

    private static final String PIN = ClaimQr.pinOf("a CA certificate".getBytes(StandardCharsets.UTF_8));

    @Test
    void readsAHubCodeAndPin() throws Exception {
        ClaimQr qr = ClaimQr.parse("YZCLAIM1 https://hub.example.org:8443/yz ABCDE-23456 " + PIN);
        assertThat(qr.hub()).isEqualTo("https://hub.example.org:8443/yz");
        assertThat(qr.hubOrigin()).isEqualTo("https://hub.example.org:8443");
        assertThat(qr.code()).isEqualTo("ABCDE-23456");
        assertThat(qr.pin()).contains(PIN);
        assertThat(PIN).hasSize("sha256/".length() + 43);
    }

    @Test
    void readsAPlainHubWithoutPin() throws Exception {
        ClaimQr qr = ClaimQr.parse("YZCLAIM1 http://192.168.1.20:8080 ABCDE23456");
        assertThat(qr.pin()).isEmpty();
        assertThat(qr.hubOrigin()).isEqualTo("http://192.168.1.20:8080");
        assertThat(ClaimQr.parse("YZCLAIM1 http://Hub.Example.org X2345").hubOrigin())
                .as("default port and lower case, to compare hubs").isEqualTo("http://hub.example.org:80");
    }

    @Test
    void neverShowsTheCodeInToString() throws Exception {
        ClaimQr qr = ClaimQr.of("https://hub.example.org", "SECRETCODE", Optional.of(PIN));
        assertThat(qr.toString()).doesNotContain("SECRETCODE").contains("hub.example.org");
    }

    @Test
    void refusesALaterVersionNamingIt() {
        ProtocolException e = catchThrowableOfType(
                () -> ClaimQr.parse("YZCLAIM2 https://hub.example.org ABCDE-23456"), ProtocolException.class);
        assertThat(e.reason()).isEqualTo("version");
        assertThat(e.getMessage()).contains("version 2 is not supported").contains("version 1");
    }

    @Test
    void refusesWhatIsNotAClaim() {
        assertThat(ClaimQr.isClaim("YZP1.eyJhbGciOi...")).isFalse();
        assertThatThrownBy(() -> ClaimQr.parse("https://hub.example.org/e/st-1/abc"))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("not a claim QR");
    }

    @Test
    void refusesOversizedText() {
        String big = "YZCLAIM1 https://hub.example.org/" + "a".repeat(Limits.CLAIM_QR_CHARS) + " ABCDE";
        ProtocolException e = catchThrowableOfType(() -> ClaimQr.parse(big), ProtocolException.class);
        assertThat(e.reason()).isEqualTo("too-large");
    }

    @Test
    void namesTheBadField() {
        assertThat(field("YZCLAIM1 ftp://hub.example.org ABCDE")).isEqualTo("hub");
        assertThat(field("YZCLAIM1 https://user@hub.example.org ABCDE")).isEqualTo("hub");
        assertThat(field("YZCLAIM1 https://hub.example.org/?x=1 ABCDE")).isEqualTo("hub");
        assertThat(field("YZCLAIM1 hub.example.org ABCDE")).isEqualTo("hub");
        assertThat(field("YZCLAIM1 https://hub.example.org AB")).isEqualTo("code");
        assertThat(field("YZCLAIM1 https://hub.example.org ABC!DE")).isEqualTo("code");
        assertThat(field("YZCLAIM1 https://hub.example.org ABCDE sha1/abc")).isEqualTo("pin");
        assertThat(field("YZCLAIM1 http://hub.example.org ABCDE " + PIN)).as("a pin needs https").isEqualTo("pin");
        assertThat(field("YZCLAIM1 https://hub.example.org")).isEqualTo("$");
        assertThat(field("YZCLAIM1  https://hub.example.org ABCDE")).as("double space: an empty hub").isEqualTo("hub");
        assertThat(field("YZCLAIM1 https://hub.example.org ABCDE " + PIN + " more")).isEqualTo("$");
    }

    private static String field(String text) {
        return catchThrowableOfType(() -> ClaimQr.parse(text), ProtocolException.class).field();
    }

    @Property(tries = 2_000)
    void whatTheHubDrawsReadsBackTheSame(@ForAll("claims") ClaimQr qr) throws Exception {
        ClaimQr back = ClaimQr.parse(qr.text());
        assertThat(back.hub()).isEqualTo(qr.hub());
        assertThat(back.code()).isEqualTo(qr.code());
        assertThat(back.pin()).isEqualTo(qr.pin());
        assertThat(back.text()).isEqualTo(qr.text());
    }

    @Property(tries = 5_000)
    void anyTextIsReadOrRefusedWithAReason(@ForAll("nearClaims") String text) {
        try {
            ClaimQr qr = ClaimQr.parse(text);
            assertThat(qr.text()).as("what is read is what was written").isEqualTo(text);
            assertThat(text.length()).isLessThanOrEqualTo(Limits.CLAIM_QR_CHARS);
        } catch (ProtocolException e) {
            assertThat(e.reason()).isIn("malformed", "too-large", "version");
            assertThat(e.getMessage()).isNotBlank();
        } catch (RuntimeException e) {
            throw new AssertionError("'" + text + "' broke the parser", e);
        }
    }

    @Property(tries = 2_000)
    void anyTextAtAll(@ForAll String text) {
        try {
            ClaimQr.parse(text);
        } catch (ProtocolException e) {
            assertThat(e.reason()).isIn("malformed", "too-large", "version");
        }
    }

    @Provide
    Arbitrary<ClaimQr> claims() {
        Arbitrary<String> host = Arbitraries.strings().withChars("abcxyz019-").ofMinLength(1).ofMaxLength(30)
                .filter(h -> !h.startsWith("-") && !h.endsWith("-")).map(h -> h + ".example.org");
        Arbitrary<Integer> port = Arbitraries.integers().between(0, 65535);
        Arbitrary<String> code = Arbitraries.strings().withChars("ABCXYZabc0189-").ofMinLength(4).ofMaxLength(64);
        Arbitrary<Optional<String>> pin = Arbitraries.bytes().array(byte[].class).ofSize(8)
                .map(b -> Optional.of(ClaimQr.pinOf(b))).injectNull(0.3).map(p -> p == null ? Optional.empty() : p);
        return Combinators.combine(host, port, code, pin).as((h, p, c, pn) -> {
            String scheme = pn.isPresent() ? "https" : "http";
            try {
                return ClaimQr.of(scheme + "://" + h + (p == 0 ? "" : ":" + p), c, pn);
            } catch (ProtocolException e) {
                throw new AssertionError(e);
            }
        });
    }

    /** Claim texts with one piece changed: spaces, version, characters just outside each field's alphabet. */
    @Provide
    Arbitrary<String> nearClaims() {
        Arbitrary<String> magic = Arbitraries.of("YZCLAIM1", "YZCLAIM1", "YZCLAIM2", "YZCLAIM", "YZCLAIMx", "yzclaim1");
        Arbitrary<String> hub = Arbitraries.of("https://hub.example.org", "http://10.0.0.1:8080", "https://h/x",
                "ftp://h", "https://", "https://u@h", "https://h?x", "https://h#f", "h", "https://h:99999");
        Arbitrary<String> code = Arbitraries.strings().withChars("AB12-!_ é").ofMinLength(0).ofMaxLength(70);
        Arbitrary<String> pin = Arbitraries.oneOf(Arbitraries.just(""), Arbitraries.just(" " + PIN),
                Arbitraries.strings().withChars("sha256/Ab_-=+").ofMinLength(0).ofMaxLength(60).map(s -> " " + s));
        Arbitrary<String> sep = Arbitraries.of(" ", " ", "  ", "\t", "");
        return Combinators.combine(magic, sep, hub, code, pin).as((m, s, h, c, p) -> m + s + h + " " + c + p);
    }
}
