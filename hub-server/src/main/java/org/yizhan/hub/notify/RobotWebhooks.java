package org.yizhan.hub.notify;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.util.concurrent.TimeoutException;

/**
 * Group robots' webhooks, each in its service's documented format:
 * <ul>
 *   <li>WeCom: {@code {"msgtype":"markdown","markdown":{"content"}}}; answer {@code {"errcode":0}}.</li>
 *   <li>DingTalk: {@code {"msgtype":"markdown","markdown":{"title","text"}}}; with a secret, the query parameters
 *   {@code timestamp} (ms) and {@code sign} ({@link Signatures#dingTalk}); answer {@code {"errcode":0}}.</li>
 *   <li>Feishu / Lark: a message card, {@code {"msg_type":"interactive","card":{"config":{"wide_screen_mode":true},
 *   "header":{"title":{"tag":"plain_text","content"},"template"},"elements":[{"tag":"div","text":{"tag":"lark_md",
 *   "content"}}]}}}, the header red for urgent alerts, orange for others, green when resolved, blue for a test;
 *   with a secret, the body fields {@code timestamp} (s) and {@code sign} ({@link Signatures#feishu}); answer
 *   {@code {"code":0}}.</li>
 * </ul>
 * A non-2xx status, an answer that is not JSON, or a non-zero {@code errcode}/{@code code} is a failed delivery.
 * Signatures use the wall clock, which the robots check against theirs (within an hour).
 */
public final class RobotWebhooks implements Sender {

    private static final int MAX_ERROR_CHARS = 200;

    private final WebClient client;
    private final long timeoutMs;

    public RobotWebhooks(Vertx vertx, long timeoutMs) {
        this.timeoutMs = timeoutMs;
        this.client = WebClient.create(vertx, new WebClientOptions().setConnectTimeout((int) timeoutMs)
                .setUserAgent("yizhan-hub"));
    }

    @Override
    public Future<Void> send(Channel channel, Message m) {
        String url = channel.settings().getString("webhook");
        String secret = channel.settings().getString("secret");
        JsonObject body;
        switch (channel.kind()) {
            case WECOM -> body = new JsonObject().put("msgtype", "markdown")
                    .put("markdown", new JsonObject().put("content", m.markdown(false)));
            case DINGTALK -> {
                body = new JsonObject().put("msgtype", "markdown")
                        .put("markdown", new JsonObject().put("title", m.title()).put("text", m.markdown(true)));
                if (secret != null) {
                    long ts = System.currentTimeMillis();
                    url = url + (url.contains("?") ? "&" : "?") + "timestamp=" + ts + "&sign="
                            + Signatures.dingTalk(secret, ts);
                }
            }
            case FEISHU -> {
                body = new JsonObject().put("msg_type", "interactive").put("card", feishuCard(m));
                if (secret != null) {
                    long ts = System.currentTimeMillis() / 1000;
                    body.put("timestamp", Long.toString(ts)).put("sign", Signatures.feishu(secret, ts));
                }
            }
            default -> {
                return Future.failedFuture(new DeliveryFailed("not a group robot: " + channel.kind().wireName()));
            }
        }
        Future<HttpResponse<Buffer>> sent;
        try {
            sent = client.postAbs(url).timeout(timeoutMs).sendJsonObject(body);
        } catch (RuntimeException e) {
            return Future.failedFuture(new DeliveryFailed(channel.scrub("cannot send: " + e.getMessage())));
        }
        return sent.transform(ar -> {
            if (ar.failed()) {
                String why = ar.cause() instanceof TimeoutException ? "no answer within " + timeoutMs + " ms"
                        : "cannot reach the robot: " + ar.cause().getMessage();
                return Future.failedFuture(new DeliveryFailed(channel.scrub(why)));
            }
            return answer(channel, ar.result());
        });
    }

    /** Feishu's interactive card: the title in a header coloured by severity, the lines as lark_md below it. */
    static JsonObject feishuCard(Message m) {
        return new JsonObject()
                .put("config", new JsonObject().put("wide_screen_mode", true))
                .put("header", new JsonObject()
                        .put("title", new JsonObject().put("tag", "plain_text").put("content", m.title()))
                        .put("template", m.severity().feishuTemplate()))
                .put("elements", new JsonArray().add(new JsonObject().put("tag", "div")
                        .put("text", new JsonObject().put("tag", "lark_md").put("content", m.larkMarkdown()))));
    }

    private static Future<Void> answer(Channel channel, HttpResponse<Buffer> r) {
        String text = r.bodyAsString() == null ? "" : r.bodyAsString();
        if (r.statusCode() / 100 != 2) {
            return failed(channel, "HTTP " + r.statusCode() + (text.isBlank() ? "" : ": " + text));
        }
        JsonObject json;
        try {
            json = new JsonObject(text);
        } catch (RuntimeException e) {
            return failed(channel, "the answer is not JSON: " + text);
        }
        String codeField = channel.kind() == ChannelKind.FEISHU
                ? (json.containsKey("code") ? "code" : "StatusCode") : "errcode";
        Object code = json.getValue(codeField);
        if (!(code instanceof Number n)) {
            return failed(channel, "the answer has no " + codeField + ": " + text);
        }
        if (n.longValue() != 0) {
            Object msg = json.getValue(channel.kind() == ChannelKind.FEISHU ? "msg" : "errmsg");
            return failed(channel, codeField + " " + n + (msg == null ? "" : ": " + msg));
        }
        return Future.succeededFuture();
    }

    private static Future<Void> failed(Channel channel, String why) {
        String t = why.length() > MAX_ERROR_CHARS ? why.substring(0, MAX_ERROR_CHARS) + "…" : why;
        return Future.failedFuture(new DeliveryFailed(channel.scrub(t)));
    }

    @Override
    public Future<Void> close() {
        client.close();
        return Future.succeededFuture();
    }
}
