package org.yizhan.hub.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.healthchecks.CheckResult;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.web.handler.StaticHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.hub.metrics.HubMetrics;

import java.util.List;
import java.util.Optional;

/**
 * The hub's HTTP server: the JSON API under {@code /api/v1} (bodies up to 64 KiB), {@code /health} (readiness),
 * {@code /health/live} (liveness), {@code /metrics} (open, or restricted) and the web pages from {@code webroot/}. Every answer carries the security headers; errors
 * use the API's error shape.
 */
public final class HttpApi {

    public static final long MAX_BODY_BYTES = 64 * 1024;
    /** The content security policy when pages load images only from the hub itself. */
    public static final String CSP = csp(List.of());
    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);

    private final Vertx vertx;
    private final String host;
    private final int port;
    private final HubMetrics metrics;
    private final Replies replies;
    private final List<ApiRoutes> features;
    private final String csp;
    private HttpServer server;
    private KeyCertOptions tls;
    private IpRanges trustedProxies = IpRanges.none();
    private Optional<String> metricsToken = Optional.empty();
    private IpRanges metricsAllow = IpRanges.none();
    private HealthChecks readiness;

    /**
     * @param imageOrigins origins ({@code https://tile.example.org}) pages may also load images from, such as the
     *                     configured map tile source; none keeps images to the hub itself
     */
    public HttpApi(Vertx vertx, String host, int port, HubMetrics metrics, Replies replies,
                   List<String> imageOrigins, List<? extends ApiRoutes> features) {
        this.vertx = vertx;
        this.csp = csp(imageOrigins);
        this.host = host;
        this.port = port;
        this.metrics = metrics;
        this.replies = replies;
        this.features = List.copyOf(features);
    }

    /** The content security policy: everything from the hub only, images also from the given origins. */
    public static String csp(List<String> imageOrigins) {
        String images = imageOrigins.isEmpty() ? "" : " " + String.join(" ", imageOrigins);
        return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:" + images + "; "
                + "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
                + "frame-ancestors 'none'";
    }

    /** Proxies whose {@code X-Forwarded-For} is believed (see {@link ClientAddress}); none by default. */
    public HttpApi trustedProxies(IpRanges proxies) {
        this.trustedProxies = proxies;
        return this;
    }

    /**
     * Restricts {@code /metrics} to requests with {@code Authorization: Bearer <token>} or from an address in
     * {@code allow}; with neither set it stays open.
     */
    public HttpApi metricsAccess(Optional<String> token, IpRanges allow) {
        this.metricsToken = token;
        this.metricsAllow = allow;
        return this;
    }

    /** The readiness checks {@code GET /health} runs; without them it answers up as long as HTTP does. */
    public HttpApi readiness(HealthChecks checks) {
        this.readiness = checks;
        return this;
    }

    /** Where the webjars keep Leaflet and ECharts (their versions are pinned in the parent pom). */
    static final String LEAFLET = "META-INF/resources/webjars/leaflet/1.9.4/dist";
    static final String ECHARTS = "META-INF/resources/webjars/echarts/5.3.1/dist";

    private volatile List<String> routes = List.of();

    public Router router() {
        Router router = Router.router(vertx);
        IpRanges proxies = trustedProxies;
        router.route().handler(ctx -> ClientAddress.resolveInto(ctx, proxies));
        router.route().handler(this::securityHeaders);
        features.forEach(f -> f.mountFirst(router));
        router.route("/api/*").handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES));
        router.get("/health/live").handler(ctx -> replies.send(ctx, Reply.ok(new JsonObject().put("status", "up"))));
        if (readiness == null) {
            router.get("/health").handler(ctx -> replies.send(ctx, Reply.ok(new JsonObject().put("status", "up"))));
        } else {
            HealthChecks checks = readiness;
            router.get("/health").handler(ctx -> checks.checkStatus().onComplete(ar -> ready(ctx, ar)));
        }
        router.get("/metrics").handler(this::metricsAllowed).handler(ctx -> ctx.response()
                .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                .end(metrics.scrape()));
        features.forEach(f -> f.mount(router));
        // the map and chart libraries, from their webjars in the hub's jar: nothing is fetched from a CDN
        router.route("/vendor/leaflet/*").handler(StaticHandler.create(LEAFLET).setDirectoryListing(false));
        router.route("/vendor/echarts/*").handler(StaticHandler.create(ECHARTS).setDirectoryListing(false));
        router.route().handler(StaticHandler.create("webroot").setIndexPage("index.html")
                .setDirectoryListing(false).setCachingEnabled(false));

        router.errorHandler(400, ctx -> replies.error(ctx, ApiException.badRequest("The request could not be read")));
        router.errorHandler(404, ctx -> replies.error(ctx, ApiException.notFound("Nothing here: " + ctx.request().path())));
        router.errorHandler(405, ctx -> replies.error(ctx,
                ApiException.of(405, "method-not-allowed", ctx.request().method() + " is not allowed here")));
        router.errorHandler(413, ctx -> replies.error(ctx, ApiException.of(413, "too-large",
                "The body is larger than " + MAX_BODY_BYTES / 1024 + " KiB")));
        router.errorHandler(500, ctx -> replies.fail(ctx, ctx.failure() == null
                ? new IllegalStateException("failed without a cause") : ctx.failure()));
        return router;
    }

    /** Serves HTTPS only, with this key and certificate (consulted at every handshake). Call before {@link #start()}. */
    public HttpApi tls(KeyCertOptions keyCert) {
        this.tls = keyCert;
        return this;
    }

    /** Binds the server; {@link #actualPort()} is valid when the future completes. */
    public Future<Void> start() {
        // HTTP/1.1 only: no h2c upgrade on plain HTTP. Browsers never ask for it and proxies speak HTTP/1.1 to the
        // hub, but Java 17's HttpClient asks for it by default and then, with Vert.x 5.0.7 answering, hangs past its
        // own timeout on answers of some tens of KiB (GET /metrics once Vert.x's meters are in it).
        HttpServerOptions options = new HttpServerOptions().setHost(host).setPort(port)
                .setMaxHeaderSize(16 * 1024).setHttp2ClearTextEnabled(false);
        if (tls != null) {
            options.setSsl(true).setKeyCertOptions(tls);
        }
        Router router = router();
        routes = routesOf(router);
        return vertx.createHttpServer(options).requestHandler(router).listen()
                .recover(err -> Future.failedFuture(new IllegalStateException(
                        "HTTP cannot listen on " + host + ":" + port + " (http-port, YIZHAN_HTTP_PORT): "
                                + err.getMessage(), err)))
                .map(s -> {
                    server = s;
                    LOG.info("{} listening on {}:{}", tls == null ? "HTTP" : "HTTPS", host, s.actualPort());
                    return null;
                });
    }

    public int actualPort() {
        return server == null ? -1 : server.actualPort();
    }

    /** Every route with a path the server answers, as {@code "METHOD /path"} (any method: {@code "* /path"}). */
    public List<String> routes() {
        return routes;
    }

    private static List<String> routesOf(Router router) {
        List<String> out = new java.util.ArrayList<>();
        for (io.vertx.ext.web.Route r : router.getRoutes()) {
            if (r.getPath() == null) {
                continue;
            }
            if (r.methods() == null || r.methods().isEmpty()) {
                out.add("* " + r.getPath());
            } else {
                r.methods().forEach(m -> out.add(m.name() + " " + r.getPath()));
            }
        }
        return out.stream().distinct().toList();
    }

    public Future<Void> stop() {
        return server == null ? Future.succeededFuture() : server.close();
    }

    /**
     * {@code {"status":"up","checks":[{"id":"database","status":"up"},..]}} with 200, or {@code "down"} with 503
     * and the failing checks' {@code reason}: the shape of {@code {"status":"up"}} the API had, with the checks.
     */
    private void ready(RoutingContext ctx, io.vertx.core.AsyncResult<CheckResult> ar) {
        io.vertx.core.json.JsonArray list = new io.vertx.core.json.JsonArray();
        boolean up = ar.succeeded() && CheckResult.isUp(ar.result());
        if (ar.succeeded() && ar.result().getChecks() != null) {
            for (CheckResult c : ar.result().getChecks()) {
                JsonObject o = new JsonObject().put("id", c.getId()).put("status", CheckResult.isUp(c) ? "up" : "down");
                JsonObject data = c.getData();
                if (!CheckResult.isUp(c)) {
                    o.put("reason", data != null && data.containsKey("reason") ? data.getString("reason")
                            : c.getFailure() != null ? String.valueOf(c.getFailure().getMessage()) : "down");
                }
                list.add(o);
            }
        }
        JsonObject body = new JsonObject().put("status", up ? "up" : "down").put("checks", list);
        ctx.response().setStatusCode(up ? 200 : 503).putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "no-store").end(body.encode());
    }

    private void metricsAllowed(RoutingContext ctx) {
        if (metricsToken.isEmpty() && metricsAllow.isEmpty()) {
            ctx.next();
            return;
        }
        if (metricsAllow.contains(ClientAddress.of(ctx)) || metricsToken.filter(t -> Authenticator.bearerIs(ctx, t)).isPresent()) {
            ctx.next();
            return;
        }
        if (metricsToken.isPresent()) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"metrics\"");
            replies.error(ctx, ApiException.of(401, "unauthorized", "/metrics needs the metrics token"));
        } else {
            replies.error(ctx, ApiException.of(403, "forbidden", "/metrics is not served to this address"));
        }
    }

    private void securityHeaders(RoutingContext ctx) {
        HttpServerResponse r = ctx.response();
        boolean api = ctx.request().path().startsWith("/api/");
        ctx.addHeadersEndHandler(v -> {
            r.putHeader("X-Content-Type-Options", "nosniff");
            r.putHeader("X-Frame-Options", "DENY");
            r.putHeader("Referrer-Policy", "no-referrer");
            r.putHeader("Content-Security-Policy", csp);
            if (api && !r.headers().contains("Cache-Control")) {
                r.putHeader("Cache-Control", "no-store");
            }
        });
        ctx.next();
    }
}
