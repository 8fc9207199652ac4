package org.yizhan.agent.claim;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.agent.camera.FrameSource;
import org.yizhan.agent.camera.LumaFrame;
import org.yizhan.agent.camera.QrDecoder;
import org.yizhan.agent.cli.Provisioner;
import org.yizhan.config.StationConfig;
import org.yizhan.protocol.ClaimQr;
import org.yizhan.protocol.ProtocolException;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * First-boot provisioning from the camera: a technician with no keyboard holds the station's claim QR (drawn by the
 * hub's technician page, {@link ClaimQr}) up to the kiosk's camera. Frames are read as the door reads passes,
 * anywhere in the view; the first claim QR that checks out provisions the station exactly as
 * {@code yizhan-agent provision --hub --code [--ca]} does ({@link Provisioner}).
 * <ul>
 *   <li>Other QR codes (rider passes, anything) are ignored: logged by length only, never by content.</li>
 *   <li>A claim QR for another hub (when the station was told its hub) or whose CA pin the hub does not match, or one
 *   the hub refuses, is shown on the screen and logged, and scanning goes on; the same QR is tried again only after
 *   {@link #RETRY_SAME_MS}, so a QR held up does not hammer the hub.</li>
 *   <li>With a pin, the hub's CA is fetched from {@code /api/v1/provision/ca.pem}, kept only if its SHA-256 is the
 *   pin, and then the only CA trusted for provisioning (host name checked as usual).</li>
 * </ul>
 * Decoding and provisioning run on worker threads, never an event loop. The claim code never goes to the log.
 */
public final class ClaimByCamera {

    private static final Logger LOG = LoggerFactory.getLogger(ClaimByCamera.class);
    /** How long a refused claim QR still in view is left alone before it is tried again. */
    public static final long RETRY_SAME_MS = 15_000;
    /** Where the pinned CA is kept while provisioning (the configuration keeps it afterwards). */
    static final String PINNED_CA_FILE = "claim-ca.pem";

    public enum State { WAITING, CHECKING, REFUSED, PROVISIONED, TIMED_OUT }

    /** What the kiosk screen shows: the state, a line for the technician, and the station once provisioned. */
    public record Status(State state, String message, Optional<String> stationId) {
        static Status of(State state, String message) {
            return new Status(state, message, Optional.empty());
        }
    }

    /** Why a claim QR was not used; the message is for the technician and the log (no claim code in it). */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    private final Vertx vertx;
    private final Context context;
    private final FrameSource source;
    private final QrDecoder decoder;
    private final Provisioner provisioner;
    private final Path dir;
    private final Optional<String> expectedHubOrigin;
    private final Optional<Path> caFile;
    private final Consumer<Status> screen;
    private final Promise<StationConfig> result = Promise.promise();
    private final AtomicBoolean busy = new AtomicBoolean();
    private final AtomicLong frames = new AtomicLong();
    // touched only by the one worker task that holds busy
    private String lastRefused = "";
    private long lastRefusedAt;
    private int lastIgnored;

    /**
     * {@code expectedHub}: the hub the station was told (HUB_URL), whose claim QRs alone it takes; {@code caFile}: the
     * union CA given by hand ({@code --ca}), which a pinned QR must match. {@code screen} is called from worker threads.
     */
    public ClaimByCamera(Vertx vertx, FrameSource source, QrDecoder decoder, Provisioner provisioner, Path dir,
                         Optional<String> expectedHub, Optional<Path> caFile, Consumer<Status> screen) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.source = source;
        this.decoder = decoder;
        this.provisioner = provisioner;
        this.dir = dir;
        this.expectedHubOrigin = expectedHub.map(h -> ClaimQr.origin(URI.create(h)));
        this.caFile = caFile;
        this.screen = screen;
    }

    /** Scans until a claim QR provisions the station (its configuration) or {@code timeout} passes (failed). */
    public Future<StationConfig> run(Duration timeout) {
        screen.accept(Status.of(State.WAITING, "show the claim QR to the camera"));
        LOG.info("Waiting up to {}s for a claim QR in front of the camera{}", timeout.toSeconds(),
                expectedHubOrigin.map(h -> " (for the hub at " + h + ")").orElse(""));
        long timer = vertx.setTimer(Math.max(1, timeout.toMillis()), id -> {
            if (result.tryFail("no usable claim QR was shown within " + timeout.toSeconds() + "s")) {
                screen.accept(Status.of(State.TIMED_OUT, "no claim QR was shown in time"));
            }
        });
        source.start(this::offer).onFailure(e -> result.tryFail("the camera did not start: " + e.getMessage()));
        return result.future().andThen(x -> {
            vertx.cancelTimer(timer);
            source.stop();
        });
    }

    /** From the frame source's thread: one frame at a time is read, the rest are dropped. */
    private void offer(LumaFrame frame) {
        if (result.future().isComplete() || !busy.compareAndSet(false, true)) {
            return;
        }
        context.executeBlocking(() -> {
            read(frame);
            return null;
        }, false).onComplete(x -> busy.set(false));
    }

    private void read(LumaFrame frame) {
        Optional<String> found = decoder.decodeStreamFrame(frame, frames.getAndIncrement());
        if (found.isEmpty() || result.future().isComplete()) {
            return;
        }
        String text = found.get();
        if (!ClaimQr.isClaim(text)) {
            if (text.hashCode() != lastIgnored) {
                lastIgnored = text.hashCode();
                LOG.info("A QR code that is not a claim QR ({} characters) is in view; ignored", text.length());
            }
            return;
        }
        long now = System.currentTimeMillis();
        if (text.equals(lastRefused) && now - lastRefusedAt < RETRY_SAME_MS) {
            return;
        }
        try {
            StationConfig c = claim(text);
            LOG.info("Provisioned from the claim QR as station {}", c.stationId());
            screen.accept(new Status(State.PROVISIONED, "provisioned as station " + c.stationId() + " ("
                    + c.name() + "); the station starts and runs its self-test", Optional.of(c.stationId())));
            result.tryComplete(c);
        } catch (Refused e) {
            lastRefused = text;
            lastRefusedAt = System.currentTimeMillis();
            LOG.warn("Claim QR not used: {}", e.getMessage());
            screen.accept(Status.of(State.REFUSED, e.getMessage()));
        }
    }

    private StationConfig claim(String text) throws Refused {
        ClaimQr qr;
        try {
            qr = ClaimQr.parse(text);
        } catch (ProtocolException e) {
            throw new Refused("this claim QR cannot be used: " + e.getMessage());
        }
        if (expectedHubOrigin.isPresent() && !expectedHubOrigin.get().equals(qr.hubOrigin())) {
            throw new Refused("this claim QR is for the hub at " + qr.hub() + ", but this station belongs to "
                    + expectedHubOrigin.get() + "; show the QR from that hub's technician page");
        }
        screen.accept(Status.of(State.CHECKING, "claim QR read; provisioning at " + qr.hub()));
        LOG.info("Claim QR for the hub at {} read{}; provisioning", qr.hub(), qr.pin().map(p -> " (CA pin " + p + ")")
                .orElse(""));
        Optional<Path> ca = qr.pin().isPresent() ? Optional.of(pinnedCa(qr, qr.pin().get())) : caFile;
        try {
            return provisioner.provision(qr.hub(), qr.code(), dir, ca);
        } catch (Provisioner.ProvisionException e) {
            throw new Refused(e.getMessage());
        } finally {
            if (qr.pin().isPresent()) {
                try {
                    Files.deleteIfExists(dir.resolve(PINNED_CA_FILE));
                } catch (IOException e) {
                    LOG.debug("Cannot remove {}: {}", dir.resolve(PINNED_CA_FILE), e.getMessage());
                }
            }
        }
    }

    /** The CA certificate whose SHA-256 is {@code pin}, from {@code --ca} or else from the hub; written as PEM. */
    private Path pinnedCa(ClaimQr qr, String pin) throws Refused {
        String pem = caFile.isPresent() ? readCa(caFile.get()) : fetchCa(qr);
        X509Certificate match = null;
        try {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            for (Certificate c : certs) {
                if (c instanceof X509Certificate x && ClaimQr.pinOf(x.getEncoded()).equals(pin)) {
                    match = x;
                }
            }
        } catch (CertificateException e) {
            throw new Refused("the CA " + (caFile.isPresent() ? "in " + caFile.get() : "the hub at " + qr.hub()
                    + " sent") + " is not a readable certificate");
        }
        if (match == null) {
            throw new Refused("the CA " + (caFile.isPresent() ? "in " + caFile.get() : "the hub at " + qr.hub()
                    + " presents") + " does not match the claim QR's pin: this is not the hub the QR was made by "
                    + "(or someone else answers at that address); nothing was sent to it");
        }
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve(PINNED_CA_FILE);
            Files.writeString(file, "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, new byte[]{'\n'}).encodeToString(match.getEncoded())
                    + "\n-----END CERTIFICATE-----\n", StandardCharsets.US_ASCII);
            return file;
        } catch (IOException | CertificateException e) {
            throw new Refused("cannot keep the hub's CA in " + dir + ": " + e.getMessage());
        }
    }

    private static String readCa(Path file) throws Refused {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new Refused("--ca " + file + ": cannot be read (" + e.getMessage() + ")");
        }
    }

    /**
     * The hub's CA as it hands it out. Fetched without checking the hub's certificate, since the station has nothing
     * to check it with yet: what comes back is used only if it matches the pin, which a stranger cannot forge.
     */
    private static String fetchCa(ClaimQr qr) throws Refused {
        String base = qr.hub().endsWith("/") ? qr.hub().substring(0, qr.hub().length() - 1) : qr.hub();
        try {
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, new javax.net.ssl.TrustManager[]{new AnyCertificate()}, null);
            HttpClient http = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(10)).build();
            HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/provision/ca.pem"))
                    .timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (res.statusCode() != 200) {
                throw new Refused("the hub at " + qr.hub() + " has no CA to match the claim QR's pin (it answered "
                        + res.statusCode() + ")");
            }
            if (res.body().length() > 64 * 1024) {
                throw new Refused("the hub at " + qr.hub() + " sent a CA of " + res.body().length() + " characters");
            }
            return res.body();
        } catch (IOException e) {
            throw new Refused("cannot reach the hub at " + qr.hub() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Refused("interrupted");
        } catch (GeneralSecurityException e) {
            throw new Refused("TLS is not available: " + e.getMessage());
        }
    }

    /** Accepts any server certificate (and skips the host name check): only for fetching what the pin then checks. */
    private static final class AnyCertificate extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
