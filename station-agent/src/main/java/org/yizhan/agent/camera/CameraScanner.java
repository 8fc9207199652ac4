package org.yizhan.agent.camera;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.agent.charger.ChargeByPass;
import org.yizhan.agent.pass.AccessControl;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Reads passes from a stream of camera frames: decodes one frame at a time on a worker (frames that arrive
 * meanwhile are dropped, so a slow Pi never builds a backlog), and presents each QR text to the door, once
 * while it is held up: the same text seen again within {@code heldMillis} of its last sighting is not
 * presented again, so a phone held in front of the camera for three seconds gives one decision. A text shown
 * again after a pause is a new presentation (and a used pass is then refused as replayed). When a port was
 * chosen at the kiosk ({@link ChargeByPass#arm}), the next pass starts a charging session there instead.
 */
public final class CameraScanner {

    private static final Logger LOG = LoggerFactory.getLogger(CameraScanner.class);
    public static final long DEFAULT_HELD_MILLIS = 2_000;

    private final Vertx vertx;
    private final Context context;
    private final QrDecoder decoder;
    private final AccessControl access;
    private final long heldMillis;
    private final LongSupplier clock;
    private final AtomicBoolean busy = new AtomicBoolean();
    private final AtomicLong dropped = new AtomicLong();
    private final Map<String, Long> lastSeen = new HashMap<>();
    private final java.util.Optional<ChargeByPass> charge;
    /** The turn the last frame was read at; changed only by the one frame that holds {@link #busy}. */
    /** Frames read so far: which turn and which corner tile the next one gets. */
    private final java.util.concurrent.atomic.AtomicLong framesRead = new java.util.concurrent.atomic.AtomicLong();
    private Consumer<LumaFrame> withoutPass = f -> { };
    private CameraClaim claim = CameraClaim.NONE;

    /** Create on the station's context: decisions are made on it. */
    public CameraScanner(Vertx vertx, QrDecoder decoder, AccessControl access, long heldMillis, LongSupplier clock) {
        this(vertx, decoder, access, java.util.Optional.empty(), heldMillis, clock);
    }

    /** As above; passes go to {@code charge} while a port chosen at the kiosk waits for one. */
    public CameraScanner(Vertx vertx, QrDecoder decoder, AccessControl access,
                         java.util.Optional<ChargeByPass> charge, long heldMillis, LongSupplier clock) {
        this.charge = charge;
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.decoder = decoder;
        this.access = access;
        this.heldMillis = heldMillis;
        this.clock = clock;
    }

    /** Frames in which no pass was found go on to {@code next} (the face door); call before {@link #attach}. */
    public CameraScanner withoutPass(Consumer<LumaFrame> next) {
        this.withoutPass = next;
        return this;
    }

    /** Passes and pass-less frames go to {@code claim} first (the kiosk's face enrolment); call before {@link #attach}. */
    public CameraScanner claiming(CameraClaim claim) {
        this.claim = claim;
        return this;
    }

    public Future<Void> attach(FrameSource source) {
        return source.start(this::offer);
    }

    /** Frames dropped because the decoder was still busy. */
    public long dropped() {
        return dropped.get();
    }

    /** Takes one frame from any thread; dropped when a frame is still being decoded. */
    public void offer(LumaFrame frame) {
        if (!busy.compareAndSet(false, true)) {
            dropped.incrementAndGet();
            return;
        }
        // the centre in its turns, and when it holds nothing a corner tile, the next of each per frame
        long n = framesRead.getAndIncrement();
        context.runOnContext(v -> vertx.executeBlocking(() -> decoder.decodeStreamFrame(frame, n), false)
                .onComplete(ar -> {
                    busy.set(false);
                    if (ar.failed()) {
                        LOG.warn("Decoding a camera frame failed: {}", ar.cause().toString());
                    } else if (ar.result().isPresent()) {
                        seen(ar.result().get());
                    } else if (claim.frame(frame).isEmpty()) {
                        withoutPass.accept(frame);
                    }
                }));
    }

    private void seen(String text) {
        long now = clock.getAsLong();
        Long before = lastSeen.put(text, now);
        if (before != null && now - before < heldMillis) {
            return;
        }
        for (Iterator<Long> it = lastSeen.values().iterator(); it.hasNext(); ) {
            if (now - it.next() >= heldMillis) {
                it.remove();
            }
        }
        lastSeen.put(text, now);
        if (claim.pass(text).isPresent()) {
            return;
        }
        java.util.Optional<Integer> port = charge.flatMap(ChargeByPass::takeArmed);
        if (port.isPresent()) {
            charge.get().present(text, port.get());
        } else {
            access.present(text, "qr");
        }
    }
}
