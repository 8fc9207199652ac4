package org.yizhan.agent.pass;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.access.Ed25519;
import org.yizhan.config.StationConfig;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** The hub's pass-signing public keys a station trusts, by key id, from its configuration. */
public final class PassKeys {

    private static final Logger LOG = LoggerFactory.getLogger(PassKeys.class);

    private final Map<Integer, PublicKey> byKid;

    private PassKeys(Map<Integer, PublicKey> byKid) {
        this.byKid = Map.copyOf(byKid);
    }

    /** The keys of the configuration; a key that does not load is left out (and logged), never fatal. */
    public static PassKeys of(StationConfig.Access access) {
        Map<Integer, PublicKey> keys = new HashMap<>();
        for (StationConfig.HubKey k : access.hubKeys()) {
            try {
                keys.put(k.kid(), Ed25519.publicKey(k.publicKey()));
            } catch (GeneralSecurityException e) {
                LOG.warn("Hub key {} cannot be used: {}", k.kid(), e.getMessage());
            }
        }
        return new PassKeys(keys);
    }

    public Optional<PublicKey> key(int kid) {
        return Optional.ofNullable(byKid.get(kid));
    }

    public int size() {
        return byKid.size();
    }
}
