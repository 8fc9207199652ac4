package org.yizhan.agent.kiosk;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.client.j2se.MatrixToImageWriter;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.access.EntryNonce;
import org.yizhan.agent.http.JsonReplies;
import org.yizhan.config.StationConfig;

import java.io.ByteArrayOutputStream;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * {@code GET /kiosk/entry.png}: the kiosk's scan-to-enter QR code, a PNG of {@code {hubUrl}/e/{stationId}/{nonce}}
 * where the nonce ({@link EntryNonce}) changes every 30 s; the kiosk page reloads it that often. A rider's phone
 * opens the URL on the hub, which checks the nonce and sends {@code door.unlock}. Without an entry key in the
 * configuration ({@code access.entryKey}, given by the hub at provisioning) the answer is 404
 * {@code no-entry-key}. {@code GET /kiosk/entry.json} answers {@code {"url","expiresAt"}} for the page.
 */
public final class EntryQrRoutes implements java.util.function.Consumer<Router> {

    public static final int PNG_SIZE_PX = 360;
    private static final Logger LOG = LoggerFactory.getLogger(EntryQrRoutes.class);

    private final Vertx vertx;
    private final LongSupplier clock;
    private volatile String hubUrl;
    private volatile Optional<EntryNonce> nonces;

    public EntryQrRoutes(Vertx vertx, StationConfig config, LongSupplier clock) {
        this.vertx = vertx;
        this.clock = clock;
        configure(config);
    }

    /** Takes a new hub address or entry key (a configuration applied live). */
    public void configure(StationConfig config) {
        String url = config.hub().url();
        this.hubUrl = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.nonces = config.access().entryKey().flatMap(k -> EntryNonce.ofBase64(config.stationId(), k));
        if (config.access().entryKey().isPresent() && nonces.isEmpty()) {
            LOG.warn("The entry key in the configuration cannot be used: no scan-to-enter code");
        }
    }

    /** The URL the QR code holds now, if the station has an entry key. */
    public Optional<String> url() {
        long now = clock.getAsLong();
        return nonces.map(n -> hubUrl + n.pathAt(now));
    }

    @Override
    public void accept(Router router) {
        router.get("/kiosk/entry.png").handler(this::png);
        router.get("/kiosk/entry.json").handler(ctx -> {
            Optional<String> url = url();
            if (url.isEmpty()) {
                noKey(ctx);
                return;
            }
            long expires = (EntryNonce.slotOf(clock.getAsLong()) + 1) * EntryNonce.SLOT_MILLIS;
            ctx.response().putHeader("content-type", "application/json; charset=utf-8")
                    .putHeader("Cache-Control", "no-store")
                    .end(new JsonObject().put("url", url.get()).put("expiresAt", expires).encode());
        });
    }

    private void png(RoutingContext ctx) {
        Optional<String> url = url();
        if (url.isEmpty()) {
            noKey(ctx);
            return;
        }
        vertx.executeBlocking(() -> render(url.get()), false).onComplete(ar -> {
            if (ar.failed()) {
                LOG.warn("Entry QR code could not be drawn: {}", ar.cause().toString());
                JsonReplies.error(ctx, 500, "internal", "the entry code could not be drawn");
                return;
            }
            ctx.response().putHeader("content-type", "image/png").putHeader("Cache-Control", "no-store")
                    .end(Buffer.buffer(ar.result()));
        });
    }

    /** The URL as a QR code PNG: error correction M, a quiet zone of 4 modules. */
    static byte[] render(String url) throws Exception {
        BitMatrix m = new QRCodeWriter().encode(url, BarcodeFormat.QR_CODE, PNG_SIZE_PX, PNG_SIZE_PX,
                Map.of(EncodeHintType.MARGIN, 4, EncodeHintType.ERROR_CORRECTION, ErrorCorrectionLevel.M));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MatrixToImageWriter.writeToStream(m, "PNG", out);
        return out.toByteArray();
    }

    private static void noKey(RoutingContext ctx) {
        JsonReplies.error(ctx, 404, "no-entry-key", "this station has no scan-to-enter key from the hub yet");
    }
}
