package org.yizhan.access;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The rider pass that a member's phone shows as a QR code: signed by the hub with Ed25519, valid for one 30 s
 * slot, checked by the station offline. The wire form is {@code "YZ:"} followed by 85 bytes in base32
 * (139 characters, all in the QR alphanumeric set: a version 5 code at error correction M):
 * <pre>
 *  0      1  format version (1)
 *  1..2   2  key id of the hub signing key (big-endian, 0..65535)
 *  3..12 10  member id; the member's pseudonym is "m-" + its base32 in lower case
 * 13..16  4  slot: the pass is valid from slot * 30 s to (slot + 1) * 30 s after the epoch (unsigned)
 * 17..20  4  nonce (random; two passes of one slot differ)
 * 21..84 64  Ed25519 signature over "yizhan-pass-v1" followed by bytes 0..20
 * </pre>
 * The hub and the station share this class, so they cannot disagree on the format.
 */
public record RiderPass(int kid, byte[] memberId, long slot, int nonce, byte[] signature) {

    public static final String PREFIX = "YZ:";
    public static final int VERSION = 1;
    public static final int SLOT_SECONDS = 30;
    public static final int MEMBER_ID_BYTES = 10;
    static final int BODY_BYTES = 21;
    static final int SIGNATURE_BYTES = 64;
    static final int TOTAL_BYTES = BODY_BYTES + SIGNATURE_BYTES;
    public static final int TEXT_LENGTH = PREFIX.length() + (TOTAL_BYTES * 8 + 4) / 5;
    private static final byte[] DOMAIN = "yizhan-pass-v1".getBytes(StandardCharsets.US_ASCII);

    public RiderPass {
        if (kid < 0 || kid > 0xffff) {
            throw new IllegalArgumentException("kid: must be 0..65535, was " + kid);
        }
        if (memberId.length != MEMBER_ID_BYTES) {
            throw new IllegalArgumentException("memberId: must have " + MEMBER_ID_BYTES + " bytes");
        }
        if (slot < 0 || slot > 0xffffffffL) {
            throw new IllegalArgumentException("slot: out of range");
        }
        if (signature.length != SIGNATURE_BYTES) {
            throw new IllegalArgumentException("signature: must have " + SIGNATURE_BYTES + " bytes");
        }
        memberId = memberId.clone();
        signature = signature.clone();
    }

    /** A new random member id, as the hub gives one to each member. */
    public static byte[] newMemberId(SecureRandom random) {
        byte[] id = new byte[MEMBER_ID_BYTES];
        random.nextBytes(id);
        return id;
    }

    /** {@code "m-"} and the member id in lower-case base32: what events and revocation lists name a member by. */
    public static String pseudonym(byte[] memberId) {
        return "m-" + Base32.encode(memberId).toLowerCase(Locale.ROOT);
    }

    /** The member id of a pseudonym, or empty when it is not one. */
    public static Optional<byte[]> memberId(String pseudonym) {
        if (pseudonym == null || !pseudonym.startsWith("m-") || pseudonym.length() != 18) {
            return Optional.empty();
        }
        return Base32.decode(pseudonym.substring(2).toUpperCase(Locale.ROOT))
                .filter(b -> b.length == MEMBER_ID_BYTES);
    }

    public static long slotOf(long epochMillis) {
        return Math.floorDiv(epochMillis, SLOT_SECONDS * 1000L);
    }

    /** Signs a pass for the member and slot (the hub's side). */
    public static RiderPass sign(int kid, byte[] memberId, long slot, int nonce, PrivateKey key)
            throws GeneralSecurityException {
        RiderPass unsigned = new RiderPass(kid, memberId, slot, nonce, new byte[SIGNATURE_BYTES]);
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(key);
        s.update(DOMAIN);
        s.update(unsigned.body());
        return new RiderPass(kid, memberId, slot, nonce, s.sign());
    }

    /** Whether the signature was made with the private half of {@code key}. */
    public boolean verify(PublicKey key) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(key);
            s.update(DOMAIN);
            s.update(body());
            return s.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    public String pseudonym() {
        return pseudonym(memberId);
    }

    public long notBeforeMillis() {
        return slot * SLOT_SECONDS * 1000L;
    }

    public long expiresAtMillis() {
        return (slot + 1) * SLOT_SECONDS * 1000L;
    }

    /** The text the QR code holds. */
    public String text() {
        ByteBuffer b = ByteBuffer.allocate(TOTAL_BYTES).put(body()).put(signature);
        return PREFIX + Base32.encode(b.array());
    }

    /**
     * Reads a pass from a QR code's text; the signature is not checked here. Empty when the text is not a
     * pass of a version this station knows.
     */
    public static Optional<RiderPass> parse(String text) {
        if (text == null || text.length() != TEXT_LENGTH || !text.startsWith(PREFIX)) {
            return Optional.empty();
        }
        Optional<byte[]> bytes = Base32.decode(text.substring(PREFIX.length()));
        if (bytes.isEmpty() || bytes.get().length != TOTAL_BYTES || bytes.get()[0] != VERSION) {
            return Optional.empty();
        }
        ByteBuffer b = ByteBuffer.wrap(bytes.get());
        b.get();
        int kid = b.getShort() & 0xffff;
        byte[] member = new byte[MEMBER_ID_BYTES];
        b.get(member);
        long slot = b.getInt() & 0xffffffffL;
        int nonce = b.getInt();
        byte[] sig = new byte[SIGNATURE_BYTES];
        b.get(sig);
        return Optional.of(new RiderPass(kid, member, slot, nonce, sig));
    }

    private byte[] body() {
        return ByteBuffer.allocate(BODY_BYTES).put((byte) VERSION).putShort((short) kid).put(memberId)
                .putInt((int) slot).putInt(nonce).array();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RiderPass p && kid == p.kid && slot == p.slot && nonce == p.nonce
                && Arrays.equals(memberId, p.memberId) && Arrays.equals(signature, p.signature);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(signature) + Long.hashCode(slot);
    }

    @Override
    public String toString() {
        return "RiderPass[kid=" + kid + ", member=" + pseudonym() + ", slot=" + slot + "]";
    }
}
