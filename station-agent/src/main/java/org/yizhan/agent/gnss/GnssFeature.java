package org.yizhan.agent.gnss;

import com.fazecast.jSerialComm.SerialPort;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.agent.feature.AgentFeature;
import org.yizhan.protocol.Telemetry;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.LongSupplier;

/**
 * Where a mobile station is, from a GNSS receiver's NMEA sentences on a serial line ({@code YIZHAN_GNSS=/dev/ttyUSB1}
 * or {@code /dev/ttyAMA0:9600}; 9600 baud unless said), or, on simulated hardware, from {@code POST /sim/position}
 * {@code {"lat","lon","accuracyM"?}} (or {@code {"fix":false}}). The position goes into the telemetry, and the
 * telemetry is sent soon after the station moved {@value #MOVED_METRES} m or more from the last position reported
 * (or at least every {@value #REPORT_EVERY_MILLIS} ms while it has a fix), so the hub's map and the riders'
 * finder follow the station without a stream of readings from a parked one. Without a receiver it reports nothing.
 */
public final class GnssFeature implements AgentFeature {

    private static final Logger LOG = LoggerFactory.getLogger(GnssFeature.class);
    static final double MOVED_METRES = 25;
    static final long REPORT_EVERY_MILLIS = 10 * 60_000L;
    /** A fix older than this is no fix: the receiver stopped talking or lost the sky. */
    static final long FIX_STALE_MILLIS = 60_000L;

    private final Vertx vertx;
    private final Optional<String> device;
    private final boolean simulate;
    private final Runnable changed;
    private final LongSupplier clock;
    private volatile Telemetry.Position current;
    private volatile long currentAt;
    private volatile OptionalDouble error = OptionalDouble.empty();
    private Telemetry.Position reported;
    private long reportedAt;
    private volatile boolean running;
    private Thread reader;
    private io.vertx.core.Context context;

    /** @param device {@code YIZHAN_GNSS}: the receiver's serial line and baud rate, or empty for none */
    public GnssFeature(Vertx vertx, Optional<String> device, boolean simulate, Runnable changed, LongSupplier clock) {
        this.vertx = vertx;
        this.device = device.filter(d -> !d.isBlank());
        this.simulate = simulate;
        this.changed = changed;
        this.clock = clock;
    }

    /** The position for the telemetry: the latest fix, when it is recent. */
    public Optional<Telemetry.Position> position() {
        Telemetry.Position p = current;
        if (p == null || clock.getAsLong() - currentAt > FIX_STALE_MILLIS && !simulate) {
            return Optional.empty();
        }
        return Optional.of(p);
    }

    @Override
    public Future<Void> start() {
        running = true;
        context = vertx.getOrCreateContext();
        if (device.isPresent() && !simulate) {
            String[] parts = device.get().split(":", 2);
            int baud = parts.length > 1 ? Integer.parseInt(parts[1]) : 9600;
            reader = new Thread(() -> read(parts[0], baud), "yizhan-gnss");
            reader.setDaemon(true);
            reader.start();
        }
        return Future.succeededFuture();
    }

    @Override
    public Future<Void> stop() {
        running = false;
        if (reader != null) {
            reader.interrupt();
        }
        return Future.succeededFuture();
    }

    @Override
    public void status(JsonObject status) {
        Optional<Telemetry.Position> p = position();
        if (device.isPresent() || simulate) {
            status.put("gnss", p.map(x -> new JsonObject().put("fix", true).put("lat", x.lat()).put("lon", x.lon()))
                    .orElse(new JsonObject().put("fix", false)));
        }
    }

    @Override
    public void routes(Router router) {
        if (!simulate) {
            return;
        }
        router.post("/sim/position").handler(BodyHandler.create().setBodyLimit(4096)).handler(ctx -> {
            JsonObject b;
            try {
                b = ctx.body().asJsonObject();
            } catch (RuntimeException e) {
                b = null;
            }
            if (b == null) {
                ctx.response().setStatusCode(400).end("{\"error\":\"a JSON object, please\"}");
                return;
            }
            if (Boolean.FALSE.equals(b.getValue("fix"))) {
                current = null;
                ctx.response().putHeader("Content-Type", "application/json").end("{\"fix\":false}");
                return;
            }
            Object lat = b.getValue("lat");
            Object lon = b.getValue("lon");
            Object acc = b.getValue("accuracyM");
            if (!(lat instanceof Number la) || !(lon instanceof Number lo) || Math.abs(la.doubleValue()) > 90
                    || Math.abs(lo.doubleValue()) > 180 || (acc != null && !(acc instanceof Number))) {
                ctx.response().setStatusCode(400).putHeader("Content-Type", "application/json")
                        .end("{\"error\":\"lat (-90..90) and lon (-180..180) in degrees, accuracyM optional\"}");
                return;
            }
            fix(la.doubleValue(), lo.doubleValue(), acc == null ? OptionalDouble.empty()
                    : OptionalDouble.of(((Number) acc).doubleValue()));
            ctx.response().putHeader("Content-Type", "application/json").end(new JsonObject().put("fix", true).encode());
        });
    }

    /** A new fix; on the station's context. */
    void fix(double lat, double lon, OptionalDouble accuracy) {
        long now = clock.getAsLong();
        Telemetry.Position p = new Telemetry.Position(lat, lon, accuracy.isPresent() ? accuracy : error);
        current = p;
        currentAt = now;
        if (reported == null || metres(reported, p) >= MOVED_METRES || now - reportedAt >= REPORT_EVERY_MILLIS) {
            reported = p;
            reportedAt = now;
            changed.run();
        }
    }

    /** Great-circle distance in metres. */
    static double metres(Telemetry.Position a, Telemetry.Position b) {
        double r = 6_371_000;
        double dLat = Math.toRadians(b.lat() - a.lat());
        double dLon = Math.toRadians(b.lon() - a.lon());
        double h = Math.sin(dLat / 2) * Math.sin(dLat / 2) + Math.cos(Math.toRadians(a.lat()))
                * Math.cos(Math.toRadians(b.lat())) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
        return 2 * r * Math.asin(Math.min(1, Math.sqrt(h)));
    }

    /** Reads sentences from the receiver on its own thread, reopening the line when it goes away. */
    private void read(String path, int baud) {
        while (running) {
            SerialPort port = SerialPort.getCommPort(path);
            port.setComPortParameters(baud, 8, SerialPort.ONE_STOP_BIT, SerialPort.NO_PARITY);
            port.setComPortTimeouts(SerialPort.TIMEOUT_READ_SEMI_BLOCKING, 2000, 0);
            if (!port.openPort()) {
                LOG.warn("GNSS receiver on {} cannot be opened (error {}); trying again in 10 s", path,
                        port.getLastErrorCode());
                if (!pause(10_000)) {
                    return;
                }
                continue;
            }
            LOG.info("GNSS receiver on {} at {} baud", path, baud);
            try (InputStream in = port.getInputStream();
                 BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
                String line;
                while (running && (line = lines.readLine()) != null) {
                    Nmea.parse(line).ifPresent(r -> {
                        if (r.errorM().isPresent()) {
                            error = r.errorM();
                        }
                        if (r.hasPosition()) {
                            double la = r.lat().getAsDouble();
                            double lo = r.lon().getAsDouble();
                            context.runOnContext(v -> fix(la, lo, OptionalDouble.empty()));
                        }
                    });
                }
            } catch (Exception e) {
                if (running) {
                    LOG.warn("GNSS receiver on {}: {}; reopening", path, e.toString());
                }
            } finally {
                port.closePort();
            }
            if (!pause(2000)) {
                return;
            }
        }
    }

    private boolean pause(long ms) {
        try {
            Thread.sleep(ms);
            return running;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
