package org.yizhan.agent.claim;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The kiosk screen while the station waits for its claim QR: {@code GET /kiosk} (a page, Chinese first) and
 * {@code GET /kiosk/claim} (the {@link ClaimByCamera.Status} as JSON, which the page polls), on the port the agent
 * will use, and that port in {@code ports.json} so the kiosk launcher opens it. Once the agent itself answers on the
 * port (its server has no {@code /kiosk/claim}) the page reloads into the agent's kiosk, which shows the self-test.
 */
public final class ClaimScreen {

    private static final Logger LOG = LoggerFactory.getLogger(ClaimScreen.class);

    private final Vertx vertx;
    private final Path dir;
    private final AtomicReference<ClaimByCamera.Status> status = new AtomicReference<>(
            ClaimByCamera.Status.of(ClaimByCamera.State.WAITING, "show the claim QR to the camera"));
    private HttpServer server;

    public ClaimScreen(Vertx vertx, Path dir) {
        this.vertx = vertx;
        this.dir = dir;
    }

    /** What the screen shows from now on; any thread. */
    public void show(ClaimByCamera.Status s) {
        status.set(s);
    }

    /** Serves the page on {@code host:port} (0: any free port) and writes ports.json; the port bound. */
    public Future<Integer> start(String host, int port) {
        String page;
        try (InputStream in = ClaimScreen.class.getResourceAsStream("claim-screen.html")) {
            page = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException | NullPointerException e) {
            return Future.failedFuture(new IllegalStateException("claim-screen.html is missing from the agent jar"));
        }
        server = vertx.createHttpServer().requestHandler(req -> {
            switch (req.path()) {
                case "/kiosk" -> req.response().putHeader("Content-Type", "text/html; charset=utf-8")
                        .putHeader("Cache-Control", "no-store").end(page);
                case "/kiosk/claim" -> {
                    ClaimByCamera.Status s = status.get();
                    JsonObject json = new JsonObject().put("state", s.state().name().toLowerCase(java.util.Locale.ROOT))
                            .put("message", s.message());
                    s.stationId().ifPresent(id -> json.put("stationId", id));
                    req.response().putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store")
                            .end(json.encode());
                }
                default -> req.response().setStatusCode(404).end();
            }
        });
        return server.listen(port, host).compose(s -> vertx.executeBlocking(() -> {
            Files.createDirectories(dir);
            Path tmp = dir.resolve("ports.json.tmp");
            Files.writeString(tmp, new JsonObject().put("http", s.actualPort()).encode(), StandardCharsets.UTF_8);
            Files.move(tmp, dir.resolve("ports.json"), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
            LOG.info("Claim screen on http://{}:{}/kiosk", host, s.actualPort());
            return s.actualPort();
        }, false));
    }

    /** Stops serving and removes ports.json (the agent writes its own when it starts). */
    public Future<Void> stop() {
        Future<Void> closed = server == null ? Future.succeededFuture() : server.close();
        return closed.compose(v -> vertx.executeBlocking(() -> {
            Files.deleteIfExists(dir.resolve("ports.json"));
            return null;
        }, false));
    }
}
