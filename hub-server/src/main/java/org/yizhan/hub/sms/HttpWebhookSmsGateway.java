package org.yizhan.hub.sms;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.hub.metrics.HubMetrics;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * An SMS gateway reached by an HTTP webhook: {@code POST url} with {@code Authorization: Bearer <secret>} and the
 * JSON body {@code {"to":"13800138000","text":"..."}}; any 2xx answer means the gateway took the message. Each try
 * waits at most {@code timeout}; a try that times out, cannot connect or gets a 5xx is made again (up to
 * {@code retries} more times, {@value #RETRY_DELAY_MS} ms apart); a 4xx is not (the gateway refused the message).
 * Counted in {@code yizhan_sms_sent}, {@code yizhan_sms_retries} and {@code yizhan_sms_failures} by reason
 * ({@code status}, {@code timeout}, {@code connection}).
 */
public final class HttpWebhookSmsGateway implements SmsGateway {

    private static final Logger LOG = LoggerFactory.getLogger(HttpWebhookSmsGateway.class);
    static final long RETRY_DELAY_MS = 300;

    private final Vertx vertx;
    private final WebClient client;
    private final URI url;
    private final String secret;
    private final long timeoutMs;
    private final int retries;
    private final HubMetrics metrics;

    public HttpWebhookSmsGateway(Vertx vertx, URI url, String secret, Duration timeout, int retries,
                                 HubMetrics metrics) {
        this.vertx = vertx;
        this.url = url;
        this.secret = secret;
        this.timeoutMs = timeout.toMillis();
        this.retries = retries;
        this.metrics = metrics;
        this.client = WebClient.create(vertx, new WebClientOptions().setConnectTimeout((int) timeoutMs)
                .setUserAgent("yizhan-hub"));
    }

    @Override
    public Future<Void> send(String to, String text) {
        Promise<Void> done = Promise.promise();
        attempt(new JsonObject().put("to", to).put("text", text), to, retries, done);
        return done.future();
    }

    private void attempt(JsonObject body, String to, int retriesLeft, Promise<Void> done) {
        client.postAbs(url.toString()).timeout(timeoutMs).putHeader("Authorization", "Bearer " + secret)
                .sendJsonObject(body).onComplete(ar -> {
                    String reason;
                    String detail;
                    boolean retry;
                    if (ar.succeeded() && ar.result().statusCode() / 100 == 2) {
                        metrics.counter("yizhan_sms_sent");
                        done.complete();
                        return;
                    } else if (ar.succeeded()) {
                        reason = "status";
                        detail = "HTTP " + ar.result().statusCode();
                        retry = ar.result().statusCode() >= 500;
                    } else {
                        reason = ar.cause() instanceof TimeoutException ? "timeout" : "connection";
                        detail = ar.cause().getMessage();
                        retry = true;
                    }
                    if (retry && retriesLeft > 0) {
                        metrics.counter("yizhan_sms_retries");
                        vertx.setTimer(RETRY_DELAY_MS, t -> attempt(body, to, retriesLeft - 1, done));
                        return;
                    }
                    metrics.counter("yizhan_sms_failures", "reason", reason);
                    LOG.warn("SMS gateway did not take the message to {}: {}", masked(to), detail);
                    done.fail(new SmsGateway.Failed(detail));
                });
    }

    private static String masked(String phone) {
        return phone.length() == 11 ? phone.substring(0, 3) + "****" + phone.substring(7) : "***";
    }

    @Override
    public Future<Void> close() {
        client.close();
        return Future.succeededFuture();
    }

}
