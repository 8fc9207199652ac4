package org.yizhan.access;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The rotating nonce of the kiosk's scan-to-enter QR code ({@code {hubUrl}/e/{stationId}/{nonce}}), which the
 * hub checks without asking the station. The hub derives each station's entry key from a secret of its own
 * ({@link #stationKey}) and hands it to the station in its configuration ({@code access.entryKey}); both then
 * compute, for each 30 s slot (the slots of {@link RiderPass}), the first {@link #LENGTH} base32 letters of
 * HMAC-SHA256(entryKey, "yizhan-entry-v1:" + stationId + ":" + slot). A nonce therefore opens only the door of
 * the station whose key made it, and only for a short time. The hub and the station share this class.
 */
public final class EntryNonce {

    public static final int LENGTH = 12;
    public static final long SLOT_MILLIS = RiderPass.SLOT_SECONDS * 1000L;
    public static final Pattern FORM = Pattern.compile("[A-Z2-7]{" + LENGTH + "}");
    private static final String ALGORITHM = "HmacSHA256";

    private final String stationId;
    private final SecretKeySpec key;

    private EntryNonce(String stationId, byte[] key) {
        this.stationId = stationId;
        this.key = new SecretKeySpec(key, ALGORITHM);
    }

    /** The nonces of one station, from its entry key (raw bytes, at least 16). */
    public static EntryNonce of(String stationId, byte[] entryKey) {
        if (entryKey.length < 16) {
            throw new IllegalArgumentException("entryKey: must have at least 16 bytes, had " + entryKey.length);
        }
        return new EntryNonce(stationId, entryKey.clone());
    }

    /** The nonces of one station from the base64 entry key of its configuration; empty when it is not one. */
    public static Optional<EntryNonce> ofBase64(String stationId, String entryKey) {
        try {
            byte[] raw = Base64.getDecoder().decode(entryKey);
            return raw.length < 16 ? Optional.empty() : Optional.of(new EntryNonce(stationId, raw));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The hub's side: the entry key of a station, HMAC-SHA256(hubSecret, "yizhan-entry-key-v1:" + stationId). */
    public static byte[] stationKey(byte[] hubSecret, String stationId) {
        return hmac(new SecretKeySpec(hubSecret, ALGORITHM), "yizhan-entry-key-v1:" + stationId);
    }

    public static long slotOf(long epochMillis) {
        return RiderPass.slotOf(epochMillis);
    }

    /** The nonce of a slot. */
    public String nonce(long slot) {
        return Base32.encode(hmac(key, "yizhan-entry-v1:" + stationId + ":" + slot)).substring(0, LENGTH);
    }

    /** The nonce the kiosk shows at {@code epochMillis}. */
    public String nonceAt(long epochMillis) {
        return nonce(slotOf(epochMillis));
    }

    /** The path of the kiosk's entry URL at {@code epochMillis}: {@code /e/{stationId}/{nonce}}. */
    public String pathAt(long epochMillis) {
        return "/e/" + stationId + "/" + nonceAt(epochMillis);
    }

    /**
     * The slot a nonce was made for, searching from {@code newestSlot} back {@code slots} slots; empty when it
     * was made for none of them. Compares in constant time per slot.
     */
    public Optional<Long> slotOfNonce(String nonce, long newestSlot, int slots) {
        byte[] given = nonce.getBytes(StandardCharsets.US_ASCII);
        for (long s = newestSlot; s > newestSlot - slots; s--) {
            if (java.security.MessageDigest.isEqual(given, nonce(s).getBytes(StandardCharsets.US_ASCII))) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    private static byte[] hmac(SecretKeySpec key, String message) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    @Override
    public String toString() {
        return "EntryNonce[" + stationId + "]";
    }
}
