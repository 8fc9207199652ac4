package org.yizhan.agent.update;

import org.yizhan.agent.uplink.CommandFailure;
import org.yizhan.protocol.UpdateBundle;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;

/**
 * The release keys whose signature this station accepts on an agent update: those pinned when it was provisioned
 * ({@value #PINNED} in the state directory, from the hub's answer to the claim) and those the union put on the
 * station's image ({@value #SYSTEM}, or the file {@code YIZHAN_UPDATE_KEYS} names). A configuration sent later by
 * the hub cannot add any, so a hub that is broken into cannot make the stations run code of its own. Read at each
 * update, so a key added to the file needs no restart.
 */
public final class ReleaseKeys {

    public static final String PINNED = "update-keys.pem";
    public static final String SYSTEM = "/etc/yizhan/update-keys.pem";

    private final List<Path> files;

    public ReleaseKeys(List<Path> files) {
        this.files = List.copyOf(files);
    }

    /** The pinned file in {@code stateDir} and the system's (or {@code YIZHAN_UPDATE_KEYS}). */
    public static ReleaseKeys of(Path stateDir, java.util.Map<String, String> env) {
        String system = env.getOrDefault("YIZHAN_UPDATE_KEYS", "");
        return new ReleaseKeys(List.of(stateDir.resolve(PINNED), Path.of(system.isBlank() ? SYSTEM : system)));
    }

    /** Every trusted key; fails with {@code no-release-key} when there is none, or a file cannot be read. */
    public List<PublicKey> load() {
        List<PublicKey> keys = new ArrayList<>();
        for (Path f : files) {
            if (!Files.isRegularFile(f)) {
                continue;
            }
            try {
                keys.addAll(UpdateBundle.publicKeys(Files.readString(f, StandardCharsets.UTF_8)));
            } catch (IOException | GeneralSecurityException e) {
                throw new CommandFailure("no-release-key", "the release keys in " + f + " cannot be read: "
                        + e.getMessage());
            }
        }
        if (keys.isEmpty()) {
            throw new CommandFailure("no-release-key", "this station trusts no release key (none in " + files
                    + "), so it takes no update");
        }
        return keys;
    }
}
