package org.yizhan.protocol;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a station's claim QR carries, so that a kiosk without a keyboard can provision itself from the camera: the
 * hub's address, the one-time claim code, and when the hub's HTTPS certificate comes from the union's own CA, a pin
 * of that CA certificate. The text, version 1, is one line of fields separated by single spaces:
 * <pre>
 * YZCLAIM1 https://hub.example.org ABCDE-23456 sha256/q1MKLm...43 base64url characters
 * </pre>
 * <ul>
 *   <li>{@code YZCLAIM1}: the format and its version; a later version is refused, not guessed at;</li>
 *   <li>the hub: an absolute {@code http://} or {@code https://} URL with a host, no user, query or fragment;</li>
 *   <li>the claim code: 4 to 64 of {@code A-Z a-z 0-9 -} (the hub's codes are 10 characters in two groups);</li>
 *   <li>optionally the pin: {@code sha256/} and the unpadded base64url SHA-256 of the CA certificate (DER); only
 *   with an {@code https://} hub.</li>
 * </ul>
 * At most {@link Limits#CLAIM_QR_CHARS} characters. {@link #toString()} never shows the code: it is the secret.
 */
public final class ClaimQr {

    /** The first field of every claim QR, whatever its version. */
    public static final String MAGIC = "YZCLAIM";
    public static final int VERSION = 1;
    public static final String PIN_PREFIX = "sha256/";

    private static final Pattern CODE = Pattern.compile("[A-Za-z0-9-]{4,64}");
    private static final Pattern PIN = Pattern.compile("[A-Za-z0-9_-]{43}");

    private final URI hub;
    private final String code;
    private final Optional<String> pin;

    private ClaimQr(URI hub, String code, Optional<String> pin) {
        this.hub = hub;
        this.code = code;
        this.pin = pin;
    }

    /** A claim QR for this hub and code, with the CA pin when the hub's certificate is from its own CA. */
    public static ClaimQr of(String hub, String code, Optional<String> pin) throws ProtocolException {
        StringBuilder text = new StringBuilder(MAGIC).append(VERSION).append(' ').append(hub).append(' ').append(code);
        pin.ifPresent(p -> text.append(' ').append(p));
        return parse(text.toString());
    }

    /** True when {@code text} means to be a claim QR of some version: anything else is not the kiosk's business. */
    public static boolean isClaim(String text) {
        return text.startsWith(MAGIC);
    }

    /** Reads a claim QR's text; the exception names the bad field ({@code $}, {@code hub}, {@code code}, {@code pin}). */
    public static ClaimQr parse(String text) throws ProtocolException {
        if (text.length() > Limits.CLAIM_QR_CHARS) {
            throw new ProtocolException("$", "too-large", "a claim QR has at most " + Limits.CLAIM_QR_CHARS
                    + " characters, this one " + text.length());
        }
        if (!isClaim(text)) {
            throw new ProtocolException("$", "malformed", "not a claim QR (it does not start with " + MAGIC + ")");
        }
        int space = text.indexOf(' ');
        String version = text.substring(MAGIC.length(), space < 0 ? text.length() : space);
        if (!version.equals(Integer.toString(VERSION))) {
            throw new ProtocolException("$", "version", version.matches("[0-9]{1,9}")
                    ? "claim QR version " + version + " is not supported; this station reads version " + VERSION
                    + " (update the station image, or show a claim QR from a hub of the same release)"
                    : "a claim QR starts with " + MAGIC + VERSION + ", not " + abbreviate(text));
        }
        String[] fields = text.split(" ", -1);
        if (fields.length < 3 || fields.length > 4) {
            throw new ProtocolException("$", "malformed", "a claim QR is '" + MAGIC + VERSION
                    + " HUB CODE [PIN]' separated by single spaces; this one has " + (fields.length - 1)
                    + " field(s) after the version");
        }
        URI hub = hub(fields[1]);
        if (!CODE.matcher(fields[2]).matches()) {
            throw new ProtocolException("code", "malformed", "the claim code must be 4 to 64 letters, digits or '-'");
        }
        Optional<String> pin = Optional.empty();
        if (fields.length == 4) {
            String p = fields[3];
            if (!p.startsWith(PIN_PREFIX) || !PIN.matcher(p.substring(PIN_PREFIX.length())).matches()) {
                throw new ProtocolException("pin", "malformed", "the CA pin must be " + PIN_PREFIX
                        + " and 43 base64url characters (the SHA-256 of the CA certificate)");
            }
            if (!"https".equals(hub.getScheme())) {
                throw new ProtocolException("pin", "malformed", "a CA pin only makes sense with an https:// hub");
            }
            pin = Optional.of(p);
        }
        return new ClaimQr(hub, fields[2], pin);
    }

    private static URI hub(String text) throws ProtocolException {
        if (text.isEmpty() || text.length() > Limits.CLAIM_QR_HUB_CHARS) {
            throw new ProtocolException("hub", "malformed", "the hub address must be 1 to "
                    + Limits.CLAIM_QR_HUB_CHARS + " characters");
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new ProtocolException("hub", "malformed", "the hub address is not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme();
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new ProtocolException("hub", "malformed", "the hub address must start with http:// or https://");
        }
        if (uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawQuery() != null
                || uri.getRawFragment() != null || !text.startsWith(scheme + "://")) {
            throw new ProtocolException("hub", "malformed",
                    "the hub address must be scheme://host[:port][/path], without user, query or fragment");
        }
        return uri;
    }

    /** The pin of a CA certificate (its DER encoding), as a claim QR carries it. */
    public static String pinOf(byte[] certificateDer) {
        try {
            byte[] sha = MessageDigest.getInstance("SHA-256").digest(certificateDer);
            return PIN_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(sha);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java", e);
        }
    }

    /** The hub's address as it was written (no trailing slash added or removed). */
    public String hub() {
        return hub.toString();
    }

    /** The hub's origin, {@code scheme://host:port} with the default port spelled out, lower case: to compare hubs. */
    public String hubOrigin() {
        return origin(hub);
    }

    /** {@link #hubOrigin()} of any http(s) URL. */
    public static String origin(URI uri) {
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        int port = uri.getPort() >= 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + ":" + port;
    }

    /** The claim code: a secret, never to be logged. */
    public String code() {
        return code;
    }

    /** {@code sha256/...} of the hub's CA certificate, when it has its own CA. */
    public Optional<String> pin() {
        return pin;
    }

    /** The text to draw as the QR. */
    public String text() {
        return MAGIC + VERSION + " " + hub + " " + code + pin.map(p -> " " + p).orElse("");
    }

    /** Without the claim code. */
    @Override
    public String toString() {
        return "ClaimQr[hub=" + hub + ", code=(hidden), pin=" + pin.orElse("none") + "]";
    }

    private static String abbreviate(String text) {
        String head = text.length() > 12 ? text.substring(0, 12) + "..." : text;
        return "'" + new String(head.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)
                .replaceAll("[^\\x20-\\x7e]", "?") + "'";
    }
}
