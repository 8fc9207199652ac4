package org.yizhan.agent.selftest;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.WriterException;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.yizhan.agent.camera.FrameWatch;
import org.yizhan.agent.camera.LumaFrame;
import org.yizhan.agent.camera.QrDecoder;
import org.yizhan.agent.hardware.Gpio;
import org.yizhan.agent.hardware.Relay;
import org.yizhan.agent.hardware.StationHardware;

import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The commissioning checklist a technician runs on a new or repaired kiosk: the door relay (pulsed and read
 * back), the door contact (the door must be shut), both door beams (clear), every charger port's meter (it
 * answers), the smoke input (clear), the camera (a frame came lately, on the board) and the QR decoder (it reads a
 * code made on the spot), and the uplink. Each check passes or fails with a detail a person can act on. The
 * hardware part runs on the station's GPIO worker, so it keeps its order with the door's own relay operations.
 */
public final class SelfTest {

    /** How long the relay is energised for its check: long enough to hear it click, too short to open a door. */
    public static final long PULSE_MS = 150;
    /** A camera that delivered no frame for this long fails its check. */
    public static final long CAMERA_STALE_MS = 10_000;

    /** What the self-test needs of the rest of the station. */
    public record Station(BooleanSupplier uplinkConnected, LongSupplier session, LongSupplier outboxSize,
                          Optional<FrameWatch> camera, boolean simulated) {
    }

    private final Gpio gpio;
    private final StationHardware hardware;
    private final Station station;
    private final QrDecoder decoder = new QrDecoder();

    public SelfTest(Gpio gpio, StationHardware hardware, Station station) {
        this.gpio = gpio;
        this.hardware = hardware;
        this.station = station;
    }

    /** Runs every check: {@code {"ok":all passed,"checks":[{"name","ok","detail"}]}}. */
    public Future<JsonObject> run() {
        return gpio.call(() -> {
            JsonArray checks = new JsonArray();
            checks.add(relay(hardware.doorRelay()));
            boolean open = hardware.doorContact().isActive();
            checks.add(check("door-contact", !open, open ? "reads open: shut the door and run the test again"
                    : "reads closed"));
            checks.add(beam("beam-outer", hardware.beamOuter().isActive()));
            checks.add(beam("beam-inner", hardware.beamInner().isActive()));
            hardware.powerMeters().forEach((port, m) -> {
                try {
                    double w = m.read().powerW();
                    checks.add(check("meter-" + port, true, String.format(java.util.Locale.ROOT, "answers: %.1f W", w)));
                } catch (RuntimeException e) {
                    checks.add(check("meter-" + port, false, "does not answer: " + e.getMessage()));
                }
            });
            boolean smoke = hardware.smoke().isActive();
            checks.add(check("smoke", !smoke, smoke ? "alarm" : "clear"));
            checks.add(camera());
            return checks;
        }).map(checks -> {
            checks.add(check("uplink", station.uplinkConnected().getAsBoolean(), station.uplinkConnected().getAsBoolean()
                    ? "connected, session " + station.session().getAsLong() : "not connected to the hub"));
            checks.add(check("outbox", true, station.outboxSize().getAsLong() + " events waiting"));
            boolean ok = checks.stream().allMatch(o -> ((JsonObject) o).getBoolean("ok"));
            return new JsonObject().put("ok", ok).put("checks", checks);
        });
    }

    /** Energises the door relay briefly and reads it back; when the door is unlocked now, only reads it. */
    private static JsonObject relay(Relay relay) throws InterruptedException {
        if (relay.isClosed()) {
            return check("relay", true, "the door is unlocked now; the relay reads closed (not pulsed)");
        }
        boolean closed;
        boolean openAgain;
        try {
            relay.set(true);
            closed = relay.isClosed();
            Thread.sleep(PULSE_MS);
        } finally {
            relay.set(false);
        }
        openAgain = !relay.isClosed();
        if (closed && openAgain) {
            return check("relay", true, "pulsed " + PULSE_MS + " ms: read closed, then open");
        }
        return check("relay", false, closed ? "stays closed after the pulse" : "does not close when energised");
    }

    private static JsonObject beam(String name, boolean broken) {
        return check(name, !broken, broken ? "broken: something blocks it or it is out of line" : "clear");
    }

    private JsonObject camera() {
        String decoded = decoderWorks();
        if (!decoded.isEmpty()) {
            return check("camera", false, decoded);
        }
        if (station.simulated()) {
            return check("camera", true, "simulated camera; the QR decoder reads codes");
        }
        if (station.camera().isEmpty()) {
            return check("camera", false,
                    "no camera found (YIZHAN_CAMERA: a V4L2 device, default /dev/video0, or csi with rpicam-vid)");
        }
        FrameWatch w = station.camera().get();
        Optional<Long> at = w.lastFrameAt();
        long age = at.map(t -> System.currentTimeMillis() - t).orElse(Long.MAX_VALUE);
        if (age > CAMERA_STALE_MS) {
            return check("camera", false, at.isEmpty() ? "no frame from the camera yet"
                    : "no frame from the camera for " + age / 1000 + " s");
        }
        return check("camera", true, "frame " + w.lastSize() + " read " + age + " ms ago; the QR decoder reads codes");
    }

    /** Empty when the decoder reads a QR code made here; otherwise what went wrong. */
    private String decoderWorks() {
        String text = "yizhan-selftest";
        try {
            BitMatrix m = new QRCodeWriter().encode(text, BarcodeFormat.QR_CODE, 200, 200);
            byte[] luma = new byte[m.getWidth() * m.getHeight()];
            for (int y = 0; y < m.getHeight(); y++) {
                for (int x = 0; x < m.getWidth(); x++) {
                    luma[y * m.getWidth() + x] = (byte) (m.get(x, y) ? 0 : 255);
                }
            }
            Optional<String> read = decoder.decode(new LumaFrame(luma, m.getWidth(), m.getHeight()));
            return read.filter(text::equals).isPresent() ? "" : "the QR decoder cannot read a test code";
        } catch (WriterException | RuntimeException e) {
            return "the QR decoder is not available: " + e.getMessage();
        }
    }

    private static JsonObject check(String name, boolean ok, String detail) {
        return new JsonObject().put("name", name).put("ok", ok).put("detail", detail);
    }
}
