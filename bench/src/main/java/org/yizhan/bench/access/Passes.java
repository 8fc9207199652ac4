package org.yizhan.bench.access;

import org.yizhan.access.RiderPass;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;

/** A hub signing key and rider passes signed with it for the current slot, as the hub issues them. */
final class Passes {

    static final int KID = 7;

    final KeyPair key;
    private final SecureRandom random = new SecureRandom();

    Passes() throws GeneralSecurityException {
        key = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    }

    /** A pass for a new member, valid now. */
    String fresh() throws GeneralSecurityException {
        return RiderPass.sign(KID, RiderPass.newMemberId(random), RiderPass.slotOf(System.currentTimeMillis()),
                random.nextInt(), key.getPrivate()).text();
    }
}
