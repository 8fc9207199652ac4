package org.yizhan.hub.tls;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.KeyCertOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;

/**
 * The hub's TLS: its certificate and key from {@code tls-cert}/{@code tls-key} behind both servers, reloaded
 * without dropping connections when the files change (polled every few seconds, off the event loop) or on
 * {@link #reload()} (SIGHUP); a broken new file is refused with a log line and the old certificate keeps serving.
 * The CA from {@code tls-ca} is what provisioning hands stations. Logs subject and expiry, never key material.
 */
public final class HubTls {

    private static final Logger LOG = LoggerFactory.getLogger(HubTls.class);
    /** A certificate expiring sooner than this is warned about at every load. */
    public static final Duration EXPIRY_WARNING = Duration.ofDays(14);

    private final Vertx vertx;
    private final Path certFile;
    private final Path keyFile;
    private final Optional<String> caPem;
    private final ReloadingKeyManager keys;
    private byte[] lastSeen;
    private long timer = -1;

    private HubTls(Vertx vertx, Path certFile, Path keyFile, Optional<String> caPem, TlsCredentials initial,
                   byte[] seen) {
        this.vertx = vertx;
        this.certFile = certFile;
        this.keyFile = keyFile;
        this.caPem = caPem;
        this.keys = new ReloadingKeyManager(initial);
        this.lastSeen = seen;
    }

    /** Reads and checks the files (on a worker); fails with the setting's name and what is wrong. */
    public static Future<HubTls> load(Vertx vertx, Path certFile, Path keyFile, Optional<Path> caFile) {
        return vertx.executeBlocking(() -> {
            byte[] cert = TlsCredentials.read(certFile, TlsCredentials.CERT_SETTING);
            byte[] key = TlsCredentials.read(keyFile, TlsCredentials.KEY_SETTING);
            TlsCredentials creds = TlsCredentials.of(cert, certFile, key, keyFile, Instant.now());
            Optional<String> ca = caFile.map(f -> {
                byte[] pem = TlsCredentials.read(f, TlsCredentials.CA_SETTING);
                TlsCredentials.certificates(pem, TlsCredentials.CA_SETTING + ": " + f);
                return new String(pem, StandardCharsets.US_ASCII);
            });
            LOG.info("TLS certificate loaded from {}: {}", certFile, creds.describe());
            warnIfExpiring(creds);
            return new HubTls(vertx, certFile, keyFile, ca, creds, digest(cert, key));
        }, false);
    }

    /** What the hub's servers use as their key and certificate; always the current ones. */
    public KeyCertOptions keyCertOptions() {
        return KeyCertOptions.wrap(keys);
    }

    /** The CA certificate(s) stations are handed to verify the hub with; empty: they use their system trust store. */
    public Optional<String> caPem() {
        return caPem;
    }

    public TlsCredentials current() {
        return keys.credentials();
    }

    /** Checks the files for changes every {@code periodMs} and reloads them when they changed. */
    public void watch(long periodMs) {
        timer = vertx.setPeriodic(periodMs, t -> reloadIfChanged(false));
    }

    /**
     * Reads the files again now (SIGHUP): completes with true when a new certificate was taken, false when the
     * files are unchanged or were refused (the old certificate keeps serving; the log says why).
     */
    public Future<Boolean> reload() {
        return reloadIfChanged(true);
    }

    public void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }

    private Future<Boolean> reloadIfChanged(boolean asked) {
        return vertx.executeBlocking(() -> {
            synchronized (this) {
                byte[] cert;
                byte[] key;
                try {
                    cert = TlsCredentials.read(certFile, TlsCredentials.CERT_SETTING);
                    key = TlsCredentials.read(keyFile, TlsCredentials.KEY_SETTING);
                } catch (IllegalArgumentException e) {
                    if (asked) {
                        LOG.warn("TLS reload refused, the old certificate keeps serving: {}", e.getMessage());
                    }
                    return false;
                }
                byte[] seen = digest(cert, key);
                if (Arrays.equals(seen, lastSeen)) {
                    if (asked) {
                        LOG.info("TLS reload: {} and {} are unchanged", certFile, keyFile);
                    }
                    return false;
                }
                lastSeen = seen;
                TlsCredentials next;
                try {
                    next = TlsCredentials.of(cert, certFile, key, keyFile, Instant.now());
                } catch (IllegalArgumentException e) {
                    LOG.warn("TLS reload refused, the old certificate keeps serving: {}", e.getMessage());
                    return false;
                }
                keys.swap(next);
                LOG.info("TLS certificate reloaded from {}; new connections get {}", certFile, next.describe());
                warnIfExpiring(next);
                return true;
            }
        }, false);
    }

    private static void warnIfExpiring(TlsCredentials c) {
        if (c.expiresWithin(EXPIRY_WARNING, Instant.now())) {
            LOG.warn("The TLS certificate expires at {}, in less than {} days: renew it (the hub reloads the "
                    + "files when they change)", c.certificate().getNotAfter().toInstant(), EXPIRY_WARNING.toDays());
        }
    }

    private static byte[] digest(byte[] cert, byte[] key) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(cert);
            d.update((byte) 0);
            d.update(key);
            return d.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
