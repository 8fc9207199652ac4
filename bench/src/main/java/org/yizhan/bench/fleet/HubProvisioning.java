package org.yizhan.bench.fleet;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Stations made as a technician makes them, through a hub's HTTP API: sign in as {@code admin}, then for each
 * station {@code POST /api/v1/stations} and {@code POST /api/v1/provision} with its claim code, several at a
 * time. The same for a hub of its own and for replicas behind a load balancer, so both targets' stations carry
 * credentials the server really issued.
 */
final class HubProvisioning {

    private static final int HTTP_CONCURRENCY = 16;
    private static final int HTTP_ATTEMPTS = 5;

    private final HttpClient http;
    private final String baseUrl;
    private final Runnable requireAlive;

    /**
     * {@code baseUrl}: where the hub's HTTP API answers ({@code http://host:port}); {@code requireAlive} throws
     * when the server has exited, and is called with every progress line so a dead server ends the wait.
     */
    HubProvisioning(HttpClient http, String baseUrl, Runnable requireAlive) {
        this.http = http;
        this.baseUrl = baseUrl;
        this.requireAlive = requireAlive;
    }

    /** Signs in as {@code admin} and creates and provisions {@code n} stations; a line of progress every 5 s. */
    List<StationCredentials> provision(String adminPassword, int n, Consumer<String> progress) throws Exception {
        JsonObject answer = post("/api/v1/auth/login", new JsonObject().put("username", "admin")
                .put("password", adminPassword), Optional.empty(), 200);
        String token = require(answer, "token", "login");
        StationCredentials[] out = new StationCredentials[n];
        AtomicInteger done = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(HTTP_CONCURRENCY);
        try {
            List<Future<?>> tasks = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int k = i;
                tasks.add(pool.submit(() -> {
                    out[k] = createAndProvision(k + 1, token);
                    done.incrementAndGet();
                    return null;
                }));
            }
            long started = System.nanoTime();
            long deadline = started + TimeUnit.SECONDS.toNanos(120 + n / 5);
            long nextReport = started;
            for (Future<?> f : tasks) {
                while (true) {
                    if (System.nanoTime() > deadline) {
                        throw new IOException("provisioning " + n + " stations took too long; " + done.get() + " done");
                    }
                    if (System.nanoTime() >= nextReport) {
                        requireAlive.run();
                        progress.accept(String.format("provisioning: %d/%d stations", done.get(), n));
                        nextReport = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                    }
                    try {
                        f.get(1, TimeUnit.SECONDS);
                        break;
                    } catch (TimeoutException e) {
                        // report progress and wait on
                    } catch (ExecutionException e) {
                        throw new IOException("provisioning failed: " + e.getCause().getMessage(), e.getCause());
                    }
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            progress.accept(String.format("provisioned %d stations in %.1f s (%.0f/s)", n, seconds, n / seconds));
        } finally {
            pool.shutdownNow();
        }
        return List.of(out);
    }

    private StationCredentials createAndProvision(int i, String token) throws Exception {
        JsonObject body = new JsonObject()
                .put("name", String.format("压测驿站 Bench station %05d", i))
                .put("address", "Bench road " + i)
                .put("lat", 31.0 + (i % 1000) * 0.0005)
                .put("lon", 121.2 + (i / 1000) * 0.01)
                .put("profile", "simulated")
                .put("ports", StationModel.PORTS)
                .put("capacity", StationModel.CAPACITY);
        JsonObject created = post("/api/v1/stations", body, Optional.of(token), 201);
        String claimCode = require(created, "claimCode", "station creation");
        JsonObject provisioned = post("/api/v1/provision", new JsonObject().put("claimCode", claimCode),
                Optional.empty(), 200);
        JsonObject mqtt = provisioned.getJsonObject("mqtt", new JsonObject());
        return new StationCredentials(require(provisioned, "stationId", "provisioning"),
                require(mqtt, "username", "provisioning mqtt"), require(mqtt, "password", "provisioning mqtt"));
    }

    private static String require(JsonObject o, String field, String what) throws IOException {
        Object v = o.getValue(field);
        if (!(v instanceof String s) || s.isEmpty()) {
            throw new IOException(what + ": answer has no \"" + field + "\"");
        }
        return s;
    }

    /** A JSON POST with bounded retries on I/O errors, 429 and 5xx; any other unexpected status fails. */
    private JsonObject post(String path, JsonObject body, Optional<String> token, int expected) throws Exception {
        IOException last = null;
        for (int attempt = 1; attempt <= HTTP_ATTEMPTS; attempt++) {
            HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(baseUrl + path))
                    .timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.encode()));
            token.ifPresent(t -> rb.header("Authorization", "Bearer " + t));
            try {
                HttpResponse<String> r = http.send(rb.build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == expected || (expected == 201 && r.statusCode() == 200)) {
                    return new JsonObject(r.body());
                }
                last = new IOException("POST " + path + " answered " + r.statusCode() + ": " + abbreviate(r.body()));
                if (r.statusCode() != 429 && r.statusCode() < 500) {
                    throw last;
                }
            } catch (IOException e) {
                if (last != e) {
                    last = e;
                } else {
                    throw e;
                }
            }
            Thread.sleep(200L * attempt);
        }
        throw last;
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }
}
