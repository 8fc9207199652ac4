package org.yizhan.testing.notify;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.yizhan.testing.Futures;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A group robot's webhook on loopback, answering as WeCom, DingTalk or Feishu do: it checks the key or token in the
 * address, the body's shape for the kind (Feishu: an interactive card with a coloured plain_text header and lark_md
 * text), and (DingTalk, Feishu with a secret) recomputes the signature from the
 * documented recipe, refusing a wrong or stale one with the service's error code. Accepted messages are kept with
 * their text; {@link #failNext} makes it answer HTTP 500 for a while, as a robot that is down.
 *
 * <p>Recipes, written here from the services' documentation and independent of the hub's code: DingTalk
 * {@code sign} (query) = base64(HmacSHA256(key = secret, data = timestamp + "\n" + secret)), timestamp in ms;
 * Feishu {@code sign} (body) = base64(HmacSHA256(key = timestamp + "\n" + secret, data = empty)), timestamp in s.
 */
public final class GroupRobot implements AutoCloseable {

    public enum Kind { WECOM, DINGTALK, FEISHU }

    /** A message the robot accepted: the body as sent and the text it would show. */
    public record Received(JsonObject body, String text) {
    }

    private static final long HOUR_MS = 3_600_000;
    /** The header colours Feishu's cards document. */
    private static final Set<String> CARD_COLOURS = Set.of("blue", "wathet", "turquoise", "green", "yellow", "orange",
            "red", "carmine", "violet", "purple", "indigo", "grey", "default");

    private final Kind kind;
    private final Optional<String> secret;
    private final String token = UUID.randomUUID().toString();
    private final List<Received> received = new ArrayList<>();
    private final List<String> refusals = new ArrayList<>();
    private final AtomicInteger failing = new AtomicInteger();
    private final HttpServer server;

    private GroupRobot(Vertx vertx, Kind kind, Optional<String> secret) {
        this.kind = kind;
        this.secret = secret;
        this.server = vertx.createHttpServer().requestHandler(req -> req.body().onComplete(b -> {
            if (b.failed()) {
                req.response().setStatusCode(400).end();
                return;
            }
            answer(req, b.result().toString(StandardCharsets.UTF_8));
        }));
    }

    /** A robot listening on a free loopback port; {@code secret} turns signature checks on (DingTalk, Feishu). */
    public static GroupRobot start(Vertx vertx, Kind kind, Optional<String> secret) throws Exception {
        GroupRobot robot = new GroupRobot(vertx, kind, secret);
        Futures.get(robot.server.listen(0, "127.0.0.1"));
        return robot;
    }

    /** The webhook address as the robot's settings page would show it. */
    public String webhook() {
        String base = "http://127.0.0.1:" + server.actualPort();
        return switch (kind) {
            case WECOM -> base + "/cgi-bin/webhook/send?key=" + token;
            case DINGTALK -> base + "/robot/send?access_token=" + token;
            case FEISHU -> base + "/open-apis/bot/v2/hook/" + token;
        };
    }

    /** The key or token in the webhook address. */
    public String token() {
        return token;
    }

    /** Answers HTTP 500 to the next {@code n} requests. */
    public void failNext(int n) {
        failing.set(n);
    }

    public synchronized List<Received> received() {
        return List.copyOf(received);
    }

    /** The texts of the accepted messages, in order. */
    public synchronized List<String> texts() {
        return received.stream().map(Received::text).toList();
    }

    /** Why requests were refused (bad shape, key or signature), in order. */
    public synchronized List<String> refusals() {
        return List.copyOf(refusals);
    }

    private void answer(HttpServerRequest req, String raw) {
        if (failing.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            req.response().setStatusCode(500).end("robot unavailable");
            return;
        }
        JsonObject body;
        try {
            body = new JsonObject(raw);
        } catch (RuntimeException e) {
            refuse(req, "not JSON");
            return;
        }
        String problem = switch (kind) {
            case WECOM -> wecom(req, body);
            case DINGTALK -> dingTalk(req, body);
            case FEISHU -> feishu(req, body);
        };
        if (problem != null) {
            refuse(req, problem);
            return;
        }
        String text = switch (kind) {
            case WECOM -> body.getJsonObject("markdown").getString("content");
            case DINGTALK -> body.getJsonObject("markdown").getString("title") + "\n"
                    + body.getJsonObject("markdown").getString("text");
            case FEISHU -> cardText(body.getJsonObject("card"));
        };
        synchronized (this) {
            received.add(new Received(body, text));
        }
        JsonObject ok = kind == Kind.FEISHU ? new JsonObject().put("code", 0).put("msg", "success")
                .put("data", new JsonObject()) : new JsonObject().put("errcode", 0).put("errmsg", "ok");
        req.response().putHeader("Content-Type", "application/json").end(ok.encode());
    }

    private String wecom(HttpServerRequest req, JsonObject body) {
        if (!req.path().equals("/cgi-bin/webhook/send") || !token.equals(req.getParam("key"))) {
            return "93000 invalid webhook url";
        }
        if (!"markdown".equals(body.getValue("msgtype")) || !(body.getValue("markdown") instanceof JsonObject md)
                || !(md.getValue("content") instanceof String c) || c.isBlank()
                || c.getBytes(StandardCharsets.UTF_8).length > 4096) {
            return "40008 invalid message type";
        }
        return null;
    }

    private String dingTalk(HttpServerRequest req, JsonObject body) {
        if (!req.path().equals("/robot/send") || !token.equals(req.getParam("access_token"))) {
            return "300001 token is not exist";
        }
        if (secret.isPresent()) {
            String ts = req.getParam("timestamp");
            String sign = req.getParam("sign");
            if (ts == null || sign == null || !ts.matches("[0-9]{1,15}")
                    || Math.abs(System.currentTimeMillis() - Long.parseLong(ts)) > HOUR_MS
                    || !same(sign, hmacBase64(secret.get(), ts + "\n" + secret.get()))) {
                return "310000 sign not match";
            }
        }
        if (!"markdown".equals(body.getValue("msgtype")) || !(body.getValue("markdown") instanceof JsonObject md)
                || !(md.getValue("title") instanceof String t) || t.isBlank()
                || !(md.getValue("text") instanceof String x) || x.isBlank()) {
            return "40035 missing markdown title or text";
        }
        return null;
    }

    private String feishu(HttpServerRequest req, JsonObject body) {
        if (!req.path().equals("/open-apis/bot/v2/hook/" + token)) {
            return "19001 param invalid: incoming webhook access token invalid";
        }
        if (secret.isPresent()) {
            if (!(body.getValue("timestamp") instanceof String ts) || !ts.matches("[0-9]{1,12}")
                    || !(body.getValue("sign") instanceof String sign)
                    || Math.abs(System.currentTimeMillis() / 1000 - Long.parseLong(ts)) > HOUR_MS / 1000
                    || !same(sign, hmacBase64(ts + "\n" + secret.get(), ""))) {
                return "19021 sign match fail or timestamp is not within one hour from current time";
            }
        }
        if (!"interactive".equals(body.getValue("msg_type")) || !(body.getValue("card") instanceof JsonObject card)) {
            return "9499 Bad Request";
        }
        if (!(card.getValue("header") instanceof JsonObject header)
                || !(header.getValue("title") instanceof JsonObject title) || !"plain_text".equals(title.getValue("tag"))
                || !(title.getValue("content") instanceof String t) || t.isBlank()
                || !(header.getValue("template") instanceof String colour) || !CARD_COLOURS.contains(colour)) {
            return "11246 card header: a plain_text title and a template colour are required";
        }
        if (!(card.getValue("elements") instanceof JsonArray elements) || elements.isEmpty()) {
            return "11246 card elements are required";
        }
        for (Object o : elements) {
            if (!(o instanceof JsonObject e) || !"div".equals(e.getValue("tag"))
                    || !(e.getValue("text") instanceof JsonObject text) || !"lark_md".equals(text.getValue("tag"))
                    || !(text.getValue("content") instanceof String c) || c.isBlank()) {
                return "11246 card element: a div with lark_md text is expected";
            }
        }
        return null;
    }

    /** A Feishu card's header colour, as the robot received it (red, orange, green, blue, ...). */
    public static String cardColour(Received r) {
        return r.body().getJsonObject("card").getJsonObject("header").getString("template");
    }

    /** The title and the lark_md texts of a Feishu card, entities written back as characters. */
    private static String cardText(JsonObject card) {
        StringBuilder sb = new StringBuilder(card.getJsonObject("header").getJsonObject("title").getString("content"));
        for (Object o : card.getJsonArray("elements")) {
            sb.append('\n').append(((JsonObject) o).getJsonObject("text").getString("content")
                    .replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"));
        }
        return sb.toString();
    }

    private void refuse(HttpServerRequest req, String problem) {
        synchronized (this) {
            refusals.add(problem);
        }
        int space = problem.indexOf(' ');
        String lead = space < 0 ? problem : problem.substring(0, space);
        int code = lead.matches("[1-9][0-9]{0,8}") ? Integer.parseInt(lead) : 40000;
        JsonObject answer = kind == Kind.FEISHU ? new JsonObject().put("code", code).put("msg", problem)
                : new JsonObject().put("errcode", code).put("errmsg", problem);
        req.response().putHeader("Content-Type", "application/json").end(answer.encode());
    }

    private static boolean same(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    private static String hmacBase64(String key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public void close() throws Exception {
        Futures.get(server.close());
    }
}
