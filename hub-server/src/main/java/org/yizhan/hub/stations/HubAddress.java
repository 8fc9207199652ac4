package org.yizhan.hub.stations;

import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;
import org.yizhan.hub.http.ApiException;
import org.yizhan.protocol.ClaimQr;
import org.yizhan.protocol.ProtocolException;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.Optional;

/**
 * How stations reach and trust this hub: its address ({@code public-http-url}, else the address the request came to)
 * and, when {@code tls-ca} names the union's own CA, that CA's certificate and its pin. What goes into a station's
 * claim QR ({@link ClaimQr}) and into the configuration handed out at provisioning.
 */
public final class HubAddress {

    private final String publicHttpUrl;
    private final Optional<String> caPem;
    private final Optional<String> caPin;

    /** {@code caPem}: the CA the hub's HTTPS certificate is from, when it is the union's own; its first certificate is pinned. */
    public HubAddress(String publicHttpUrl, Optional<String> caPem) {
        this.publicHttpUrl = publicHttpUrl.trim();
        this.caPem = caPem;
        this.caPin = caPem.map(HubAddress::pin);
    }

    /** {@code public-http-url}, or {@code scheme://host:port} the request reached. */
    public String hubUrl(RoutingContext ctx) {
        if (!publicHttpUrl.isBlank()) {
            return publicHttpUrl;
        }
        String scheme = ctx.request().isSSL() ? "https" : "http";
        HostAndPort a = ctx.request().authority();
        if (a == null) {
            return scheme + "://" + urlHost(ctx.request().localAddress().host()) + ":"
                    + ctx.request().localAddress().port();
        }
        return scheme + "://" + urlHost(a.host()) + (a.port() > 0 ? ":" + a.port() : "");
    }

    /** The union CA's PEM, when the hub has one. */
    public Optional<String> caPem() {
        return caPem;
    }

    /** The claim QR for {@code code} (its display form), pinned to the CA when the hub's address is https. */
    public ClaimQr claimQr(RoutingContext ctx, String code) {
        String hub = hubUrl(ctx);
        Optional<String> pin = hub.startsWith("https://") ? caPin : Optional.empty();
        try {
            return ClaimQr.of(hub, code, pin);
        } catch (ProtocolException e) {
            throw ApiException.of(500, "hub-address", "This hub's address '" + hub + "' cannot go into a claim QR ("
                    + e.getMessage() + "); set public-http-url (YIZHAN_PUBLIC_HTTP_URL) to the address stations use");
        }
    }

    static String pin(String pem) {
        try {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            Certificate first = certs.stream().findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("tls-ca holds no certificate"));
            return ClaimQr.pinOf(first.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("tls-ca: " + e.getMessage(), e);
        } catch (CertificateException e) {
            throw new IllegalArgumentException("tls-ca holds no readable certificate: " + e.getMessage(), e);
        }
    }

    private static String urlHost(String h) {
        return h.contains(":") && !h.startsWith("[") ? "[" + h + "]" : h;
    }
}
