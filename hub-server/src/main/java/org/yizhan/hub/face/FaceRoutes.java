package org.yizhan.hub.face;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.access.RiderPass;
import org.yizhan.hub.auth.MemberLogin;
import org.yizhan.hub.feature.HubFeature;
import org.yizhan.hub.http.ApiException;
import org.yizhan.hub.http.JsonBody;
import org.yizhan.hub.http.Replies;
import org.yizhan.hub.http.Reply;
import org.yizhan.hub.members.Member;
import org.yizhan.hub.metrics.HubMetrics;
import org.yizhan.hub.stations.StationAuth;
import org.yizhan.protocol.Command;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Face consent, apart from joining. With the member token:
 * <ul>
 * <li>{@code GET /api/v1/members/me/face-consent} → {@code {"consent": {..} | null}}</li>
 * <li>{@code POST /api/v1/members/me/face-consent} {@code {"consent":true,"textVersion":"2026-01","sync":false}}
 * gives consent explicitly ({@code consent} must be {@code true}; {@code textVersion} names the consent text
 * shown) → 201; every station is told with {@code face.consent}.</li>
 * <li>{@code PUT /api/v1/members/me/face-consent/sync} {@code {"allowed":bool}} → 200; 409 {@code no-consent}
 * without consent. Denying deletes the hub's copies; stations delete the synced copies.</li>
 * <li>{@code DELETE /api/v1/members/me/face-consent} withdraws: recorded, the hub's copies deleted, and
 * {@code face.delete} stored for every station (delivered when each is next connected) → 200
 * {@code {"consent","stations","hubTemplatesDeleted"}}; 409 when consent was never given.</li>
 * </ul>
 * A station sends a template it enrolled, for a member who allows sync, to
 * {@code POST /api/v1/stations/{id}/face-templates} {@code {"member","dims","template","enrolment":{"pass"}}}
 * (HTTP Basic: station id and its secret; template base64 of little-endian floats, at most
 * {@value #MAX_TEMPLATE_BYTES} bytes; {@code enrolment.pass} the rider pass the member showed to enrol, optional
 * once the station's {@code face.enrolled} event has been recorded) → 201; the hub keeps it sealed and passes it
 * to the other stations with {@code face.sync}. Without sync consent: 403 {@code no-sync-consent}; from a station
 * that did not enrol the member: 403 {@code not-enrolled}. Neither is kept.
 */
public final class FaceRoutes implements HubFeature {

    public static final int MAX_TEMPLATE_BYTES = 4096;
    private static final Pattern TEXT_VERSION = Pattern.compile("[A-Za-z0-9._-]{1,20}");
    private static final Logger LOG = LoggerFactory.getLogger(FaceRoutes.class);

    private final FaceConsentStore consents;
    private final FaceFanout fanout;
    private final MemberLogin memberLogin;
    private final StationAuth stationAuth;
    private final Replies replies;
    private final HubMetrics metrics;

    public FaceRoutes(FaceConsentStore consents, FaceFanout fanout, MemberLogin memberLogin, StationAuth stationAuth,
                      Replies replies, HubMetrics metrics) {
        this.consents = consents;
        this.fanout = fanout;
        this.memberLogin = memberLogin;
        this.stationAuth = stationAuth;
        this.replies = replies;
        this.metrics = metrics;
    }

    @Override
    public void mount(Router router) {
        String path = "/api/v1/members/me/face-consent";
        router.get(path).handler(memberLogin.require()).handler(replies.json(this::show));
        router.post(path).handler(memberLogin.require()).handler(replies.json(this::give));
        router.put(path + "/sync").handler(memberLogin.require()).handler(replies.json(this::sync));
        router.delete(path).handler(memberLogin.require()).handler(replies.json(this::withdraw));
        router.post("/api/v1/stations/:id/face-templates").handler(replies.json(this::template));
    }

    private Future<Reply> show(RoutingContext ctx) {
        Member m = MemberLogin.member(ctx);
        return consents.get(m.id()).map(c -> Reply.ok(new JsonObject().put("consent",
                c.map(FaceConsentStore.Consent::toJson).orElse(null))));
    }

    private Future<Reply> give(RoutingContext ctx) {
        Member m = MemberLogin.member(ctx);
        JsonBody b = JsonBody.of(ctx);
        if (!Boolean.TRUE.equals(b.json().getValue("consent"))) {
            throw ApiException.badField("consent", "must be true: face consent is given explicitly, never by default");
        }
        String textVersion = b.string("textVersion", 1, 20);
        if (!TEXT_VERSION.matcher(textVersion).matches()) {
            throw ApiException.badField("textVersion", "must be 1 to 20 letters, digits, '.', '_' or '-'");
        }
        boolean sync = bool(b, "sync", false);
        return consents.give(m.id(), textVersion, sync).compose(c -> tellConsent(c).map(n -> {
            metrics.counter("yizhan_face_consents", "change", "given");
            return Reply.created(new JsonObject().put("consent", c.toJson()).put("stations", n));
        }));
    }

    private Future<Reply> sync(RoutingContext ctx) {
        Member m = MemberLogin.member(ctx);
        JsonBody b = JsonBody.of(ctx);
        if (!(b.json().getValue("allowed") instanceof Boolean allowed)) {
            throw ApiException.badField("allowed", "must be true or false");
        }
        return consents.setSync(m.id(), allowed).compose(c -> {
            if (c.isEmpty()) {
                return Future.failedFuture(ApiException.of(409, "no-consent",
                        "Give face consent first; sync is a choice within it"));
            }
            return tellConsent(c.get()).map(n -> Reply.ok(new JsonObject().put("consent", c.get().toJson())
                    .put("stations", n)));
        });
    }

    private Future<Reply> withdraw(RoutingContext ctx) {
        Member m = MemberLogin.member(ctx);
        return consents.withdraw(m.id()).compose(w -> {
            if (w.isEmpty()) {
                return Future.failedFuture(ApiException.of(409, "no-consent", "Face consent was never given"));
            }
            FaceConsentStore.Consent c = w.get().consent();
            JsonObject args = new JsonObject().put("member", c.pseudonym()).put("version", c.changedAt());
            return fanout.toAll(Command.FACE_DELETE, args, Optional.empty()).map(n -> {
                metrics.counter("yizhan_face_consents", "change", "withdrawn");
                LOG.info("Face consent withdrawn by {}: face.delete stored for {} stations", c.pseudonym(), n);
                return Reply.ok(new JsonObject().put("consent", c.toJson()).put("stations", n)
                        .put("hubTemplatesDeleted", w.get().templatesDeleted()));
            });
        });
    }

    private Future<Integer> tellConsent(FaceConsentStore.Consent c) {
        return fanout.toAll(Command.FACE_CONSENT, new JsonObject().put("member", c.pseudonym())
                .put("sync", c.syncAllowed()).put("version", c.changedAt()), Optional.empty());
    }

    private Future<Reply> template(RoutingContext ctx) {
        String stationId = ctx.pathParam("id");
        Optional<String[]> basic = StationAuth.basic(ctx);
        if (basic.isEmpty()) {
            return Future.failedFuture(ApiException.of(401, "unauthorized",
                    "Authenticate as the station: HTTP Basic with the station id and its secret"));
        }
        return stationAuth.check(basic.get()[0], basic.get()[0], basic.get()[1]).compose(outcome -> {
            if (!outcome.accepted()) {
                metrics.counter("yizhan_face_template_rejects", "reason", "credentials");
                return Future.failedFuture(ApiException.of(401, "invalid-credentials", "Unknown station or wrong secret"));
            }
            if (!basic.get()[0].equals(stationId)) {
                return Future.failedFuture(ApiException.of(403, "forbidden", "A station may send only its own templates"));
            }
            JsonBody b = JsonBody.of(ctx);
            String member = b.string("member", 3, 40);
            if (RiderPass.memberId(member).isEmpty()) {
                throw ApiException.badField("member", "must be a member pseudonym (m-...)");
            }
            int dims = b.integer("dims", 1, MAX_TEMPLATE_BYTES / 4);
            String b64 = b.string("template", 4, Integer.MAX_VALUE);
            if (b64.length() > (MAX_TEMPLATE_BYTES + 2) / 3 * 4) {
                metrics.counter("yizhan_face_template_rejects", "reason", "too-large");
                throw ApiException.of(413, "too-large", "a template is at most " + MAX_TEMPLATE_BYTES + " bytes");
            }
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(b64);
            } catch (IllegalArgumentException e) {
                throw ApiException.badField("template", "must be base64");
            }
            if (bytes.length != dims * 4) {
                throw ApiException.badField("template", "must hold dims (" + dims + ") little-endian floats");
            }
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < dims; i++) {
                if (!Float.isFinite(buf.getFloat())) {
                    throw ApiException.badField("template", "holds a value that is not finite");
                }
            }
            Optional<String> proof = Optional.ofNullable(b.json().getValue("enrolment"))
                    .map(e -> e instanceof JsonObject o ? o.getValue("pass") : null)
                    .map(p -> p instanceof String t && t.length() <= RiderPass.TEXT_LENGTH ? t : "");
            return consents.addTemplate(member, stationId, dims, bytes, proof).compose(upload -> {
                if (upload instanceof FaceConsentStore.Upload.NoSyncConsent) {
                    metrics.counter("yizhan_face_template_rejects", "reason", "no-sync-consent");
                    LOG.info("Face template for {} from {} refused: no sync consent", member, stationId);
                    return Future.failedFuture(ApiException.of(403, "no-sync-consent",
                            "This member has not allowed face templates to leave the station; it was not kept"));
                }
                if (upload instanceof FaceConsentStore.Upload.NotEnrolled refused) {
                    metrics.counter("yizhan_face_template_rejects", "reason", "not-enrolled");
                    LOG.warn("Face template for {} from {} refused: that station did not enrol the member{}", member,
                            stationId, refused.proof().map(o -> " (enrolment proof: " + o.reason() + ")").orElse(""));
                    return Future.failedFuture(ApiException.of(403, "not-enrolled",
                            "A station may send only templates of members it enrolled itself; it was not kept"));
                }
                String id = ((FaceConsentStore.Upload.Stored) upload).id();
                // what goes to the stations is the stored template, opened only for this
                return consents.openTemplate(id).compose(opened -> {
                    JsonObject args = new JsonObject().put("member", member).put("dims", dims)
                            .put("template", Base64.getEncoder().encodeToString(opened.orElseThrow()));
                    return fanout.toAll(Command.FACE_SYNC, args, Optional.of(stationId))
                            .map(n -> Reply.created(new JsonObject().put("id", id).put("stations", n)));
                });
            });
        });
    }

    private static boolean bool(JsonBody b, String field, boolean dflt) {
        Object v = b.json().getValue(field);
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof Boolean x)) {
            throw ApiException.badField(field, "must be true or false");
        }
        return x;
    }
}
