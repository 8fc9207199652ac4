package org.yizhan.hub.notify;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.yizhan.hub.http.ApiException;
import org.yizhan.hub.http.JsonBody;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A place notifications go: a group robot's webhook or an SMTP account with its recipients. {@code settings} holds
 * the secrets (the webhook address, which carries the robot's key or token; a signing secret; the SMTP password):
 * {@link #view} shows them masked, {@link #toString} leaves them out, and {@link #scrub} takes them out of any text
 * (an error message) before it is stored or logged.
 *
 * <p>Settings by kind: {@code wecom} {@code {"webhook"}}; {@code dingtalk} and {@code feishu}
 * {@code {"webhook","secret"}} (secret optional: the robot's signing secret, "加签"); {@code email}
 * {@code {"host","port","starttls":"none"|"optional"|"required","ssl","username","password","from","to":[..]}}.
 */
public record Channel(long id, String name, ChannelKind kind, JsonObject settings) {

    public static final int MAX_NAME_CHARS = 100;
    static final int MAX_URL_CHARS = 1000;
    static final int MAX_SECRET_CHARS = 200;
    static final int MAX_RECIPIENTS = 20;
    static final String MASK = "****";
    private static final Pattern ADDRESS = Pattern.compile("[^\\s@<>\",;]{1,64}@[A-Za-z0-9.-]{1,190}");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.:\\[\\]-]{1,253}");
    private static final List<String> STARTTLS = List.of("none", "optional", "required");

    /**
     * A channel from an admin's body, checked field by field (400 naming the field). With {@code previous} (an
     * update), a secret field that is left out or sent back as {@link #view} masked it keeps its stored value; the
     * kind cannot change.
     */
    public static Channel parse(long id, JsonObject body, Optional<Channel> previous) {
        JsonBody b = JsonBody.of(body);
        String name = b.string("name", 1, MAX_NAME_CHARS).strip();
        String kindText = b.optionalString("kind", 1, 20).orElseGet(() -> previous.map(p -> p.kind().wireName())
                .orElseThrow(() -> ApiException.badField("kind", "is required: one of " + ChannelKind.choices())));
        ChannelKind kind = ChannelKind.ofWire(kindText).orElseThrow(() -> ApiException.badField("kind",
                "must be one of " + ChannelKind.choices()));
        if (previous.isPresent() && previous.get().kind() != kind) {
            throw ApiException.badField("kind", "cannot change from " + previous.get().kind().wireName()
                    + "; make a new channel instead");
        }
        JsonObject old = previous.map(Channel::settings).orElse(new JsonObject());
        JsonObject oldView = previous.map(p -> p.view().getJsonObject("settings")).orElse(new JsonObject());
        JsonObject s = new JsonObject();
        if (kind == ChannelKind.EMAIL) {
            String host = b.string("host", 1, 253).strip();
            if (!HOST.matcher(host).matches()) {
                throw ApiException.badField("host", "must be a host name or address");
            }
            boolean ssl = bool(body, "ssl", false);
            s.put("host", host).put("port", b.integer("port", 1, 65535, ssl ? 465 : 25))
                    .put("ssl", ssl);
            String starttls = b.optionalString("starttls", 1, 10).orElse("optional");
            if (!STARTTLS.contains(starttls)) {
                throw ApiException.badField("starttls", "must be none, optional or required");
            }
            s.put("starttls", starttls);
            b.optionalString("username", 0, 200).filter(u -> !u.isEmpty()).ifPresent(u -> s.put("username", u));
            secret(body, "password", old, oldView).ifPresent(p -> s.put("password", p));
            if (s.containsKey("password") && !s.containsKey("username")) {
                throw ApiException.badField("username", "is required with a password");
            }
            s.put("from", address(b.string("from", 3, 254).strip(), "from"));
            Object to = body.getValue("to");
            if (!(to instanceof JsonArray list) || list.isEmpty() || list.size() > MAX_RECIPIENTS) {
                throw ApiException.badField("to", "must be a list of 1 to " + MAX_RECIPIENTS + " e-mail addresses");
            }
            JsonArray recipients = new JsonArray();
            for (int i = 0; i < list.size(); i++) {
                if (!(list.getValue(i) instanceof String a)) {
                    throw ApiException.badField("to[" + i + "]", "must be an e-mail address");
                }
                recipients.add(address(a.strip(), "to[" + i + "]"));
            }
            s.put("to", recipients);
        } else {
            String webhook = secret(body, "webhook", old, oldView).orElseThrow(() -> ApiException.badField("webhook",
                    "is required: the robot's webhook address"));
            s.put("webhook", webhook(webhook));
            if (kind != ChannelKind.WECOM) {
                secret(body, "secret", old, oldView).ifPresent(v -> s.put("secret", v));
            } else if (body.getValue("secret") instanceof String v && !v.isEmpty()) {
                throw ApiException.badField("secret", "a WeCom robot has no signing secret; its key is in the webhook");
            }
        }
        return new Channel(id, name, kind, s);
    }

    /** A secret field: the body's value; or the stored one when left out or sent back masked; empty when cleared. */
    private static Optional<String> secret(JsonObject body, String field, JsonObject old, JsonObject oldView) {
        Object v = body.getValue(field);
        if (v == null || v.equals(oldView.getValue(field))) {
            return Optional.ofNullable(old.getString(field));
        }
        if (!(v instanceof String s)) {
            throw ApiException.badField(field, "must be a string");
        }
        int max = field.equals("webhook") ? MAX_URL_CHARS : MAX_SECRET_CHARS;
        if (s.length() > max) {
            throw ApiException.badField(field, "must be at most " + max + " characters long");
        }
        String t = s.strip();
        return t.isEmpty() ? Optional.empty() : Optional.of(t);
    }

    private static String webhook(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw ApiException.badField("webhook", "is not a valid address");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http") || uri.getHost() == null || uri.getRawUserInfo() != null
                || uri.getRawFragment() != null) {
            throw ApiException.badField("webhook", "must be an http or https address with a host, such as the one "
                    + "the group robot's settings show");
        }
        return url;
    }

    private static String address(String a, String field) {
        if (!ADDRESS.matcher(a).matches()) {
            throw ApiException.badField(field, "must be an e-mail address such as duty@example.org");
        }
        return a;
    }

    private static boolean bool(JsonObject body, String field, boolean dflt) {
        Object v = body.getValue(field);
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof Boolean b)) {
            throw ApiException.badField(field, "must be true or false");
        }
        return b;
    }

    /** The channel as the API shows it: secrets masked (a key's first characters, never a whole secret). */
    public JsonObject view() {
        JsonObject s = settings.copy();
        if (s.getValue("webhook") instanceof String w) {
            s.put("webhook", maskUrl(w, kind == ChannelKind.FEISHU));
        }
        if (s.containsKey("secret")) {
            s.put("secret", MASK);
        }
        if (s.containsKey("password")) {
            s.put("password", MASK);
        }
        return new JsonObject().put("id", id).put("name", name).put("kind", kind.wireName()).put("settings", s);
    }

    /** Every secret this channel holds: the webhook, its key or token, the signing secret, the password. */
    List<String> secrets() {
        List<String> out = new ArrayList<>();
        for (String f : new String[] {"webhook", "secret", "password"}) {
            if (settings.getValue(f) instanceof String v && !v.isEmpty()) {
                out.add(v);
            }
        }
        if (settings.getValue("webhook") instanceof String w) {
            try {
                URI u = new URI(w);
                if (u.getRawQuery() != null) {
                    for (String pair : u.getRawQuery().split("&")) {
                        int eq = pair.indexOf('=');
                        if (eq >= 0 && pair.length() > eq + 1) {
                            out.add(pair.substring(eq + 1));
                        }
                    }
                }
                String path = u.getRawPath() == null ? "" : u.getRawPath();
                String last = path.substring(path.lastIndexOf('/') + 1);
                if (last.length() >= 8) {
                    out.add(last);
                }
            } catch (URISyntaxException e) {
                // parse() let only valid addresses in
            }
        }
        return out;
    }

    /** The text with every secret of this channel replaced by {@link #MASK}. */
    public String scrub(String text) {
        String t = text == null ? "" : text;
        for (String s : secrets()) {
            if (s.length() >= 4) {
                t = t.replace(s, MASK);
            }
        }
        return t;
    }

    /**
     * {@code scheme://host/path?key=73fe****}: query values (a WeCom key, a DingTalk access token) and, for a
     * Feishu hook, the last path segment (its token) keep at most their first four characters.
     */
    static String maskUrl(String url, boolean lastSegmentIsToken) {
        try {
            URI u = new URI(url);
            StringBuilder out = new StringBuilder(u.getScheme()).append("://").append(u.getRawAuthority());
            String path = u.getRawPath() == null ? "" : u.getRawPath();
            if (lastSegmentIsToken && path.lastIndexOf('/') >= 0) {
                int cut = path.lastIndexOf('/') + 1;
                path = path.substring(0, cut) + maskValue(path.substring(cut));
            }
            out.append(path);
            if (u.getRawQuery() != null) {
                List<String> pairs = new ArrayList<>();
                for (String pair : u.getRawQuery().split("&")) {
                    int eq = pair.indexOf('=');
                    pairs.add(eq < 0 ? pair : pair.substring(0, eq + 1) + maskValue(pair.substring(eq + 1)));
                }
                out.append('?').append(String.join("&", pairs));
            }
            return out.toString();
        } catch (URISyntaxException | RuntimeException e) {
            return MASK;
        }
    }

    private static String maskValue(String v) {
        return v.length() <= 8 ? MASK : v.substring(0, 4) + MASK;
    }

    @Override
    public String toString() {
        return "Channel[" + id + " " + kind.wireName() + " '" + name + "']";
    }
}
