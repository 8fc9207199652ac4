package org.yizhan.hub.passes;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.client.j2se.MatrixToImageWriter;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.yizhan.access.RiderPass;
import org.yizhan.config.StationConfig;
import org.yizhan.hub.audit.AuditEntry;
import org.yizhan.hub.audit.AuditLog;
import org.yizhan.hub.auth.MemberLogin;
import org.yizhan.hub.feature.HubFeature;
import org.yizhan.hub.http.ApiException;
import org.yizhan.hub.http.Authenticator;
import org.yizhan.hub.http.Replies;
import org.yizhan.hub.http.Reply;
import org.yizhan.hub.http.Role;
import org.yizhan.hub.members.Member;
import org.yizhan.hub.members.MemberStore;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The rider pass: {@code GET /api/v1/members/me/pass} (member token) and {@code GET /api/v1/members/{id}/pass}
 * (operator+) answer {@code {"pass","expiresAt","kid","member"}}, or with {@code ?format=png} the pass as a
 * QR code PNG (about 300 px, error correction M, a quiet zone of 4 modules). A suspended member gets 403
 * {@code member-suspended}, one waiting for approval 403 {@code member-pending}. {@code GET /api/v1/pass-keys}
 * (anyone) lists the public keys stations check passes with. Staff fetching a member's pass is audited as
 * {@code member.pass} before the pass is sent (never the pass itself); when the audit entry cannot be written the
 * answer is 503 and no pass leaves the hub.
 */
public final class PassRoutes implements HubFeature {

    public static final int PNG_SIZE_PX = 300;

    private final Vertx vertx;
    private final PassKeyring keys;
    private final MemberStore members;
    private final MemberLogin memberLogin;
    private final Authenticator auth;
    private final Replies replies;
    private final AuditLog audit;

    public PassRoutes(Vertx vertx, PassKeyring keys, MemberStore members, MemberLogin memberLogin, Authenticator auth,
                      Replies replies, AuditLog audit) {
        this.audit = audit;
        this.vertx = vertx;
        this.keys = keys;
        this.members = members;
        this.memberLogin = memberLogin;
        this.auth = auth;
        this.replies = replies;
    }

    @Override
    public void mount(Router router) {
        router.get("/api/v1/members/me/pass").handler(memberLogin.require())
                .handler(ctx -> pass(ctx, MemberLogin.member(ctx), Optional.empty()));
        router.get("/api/v1/members/:id/pass").handler(auth.require(Role.OPERATOR, audit.refusals("member.pass", "member")))
                .handler(ctx -> {
                    AuditEntry entry = AuditEntry.by(ctx, "member.pass", "member", ctx.pathParam("id"));
                    members.get(ctx.pathParam("id")).onComplete(ar -> {
                        if (ar.failed()) {
                            failed(ctx, Optional.of(entry), ar.cause());
                        } else if (ar.result().isEmpty()) {
                            failed(ctx, Optional.of(entry), ApiException.notFound("No such member"));
                        } else {
                            pass(ctx, ar.result().get(), Optional.of(entry));
                        }
                    });
                });
        router.get("/api/v1/pass-keys").handler(replies.json(ctx -> {
            JsonArray a = new JsonArray();
            for (StationConfig.HubKey k : keys.published()) {
                a.add(new JsonObject().put("kid", k.kid()).put("publicKey", k.publicKey()));
            }
            return Future.succeededFuture(org.yizhan.hub.http.Reply.ok(new JsonObject()
                    .put("current", keys.signer().kid()).put("keys", a)));
        }));
    }

    /** Answers with the failure, after auditing it when the request is audited. */
    private void failed(RoutingContext ctx, Optional<AuditEntry> entry, Throwable cause) {
        audited(entry.map(e -> e.failedWith(cause))).onComplete(ar -> replies.fail(ctx, ar.succeeded() ? cause : ar.cause()));
    }

    private Future<Void> audited(Optional<AuditEntry> entry) {
        return entry.map(audit::write).orElseGet(Future::succeededFuture);
    }

    /** The pass of the member; {@code entry} is the audit entry of staff fetching it (none for the member). */
    private void pass(RoutingContext ctx, Member m, Optional<AuditEntry> entry) {
        if (m.suspended()) {
            failed(ctx, entry, ApiException.of(403, "member-suspended",
                    "This membership is suspended; no pass is issued. Please contact the union staff"));
            return;
        }
        if (!m.active()) {
            failed(ctx, entry, MemberLogin.notActive(m));
            return;
        }
        List<String> format = ctx.queryParam("format");
        String f = format.isEmpty() ? "json" : format.get(0);
        if (!"json".equals(f) && !"png".equals(f)) {
            failed(ctx, entry, ApiException.badField("format", "must be json or png"));
            return;
        }
        byte[] memberId = RiderPass.memberId(m.pseudonym()).orElseThrow();
        vertx.executeBlocking(() -> {
            RiderPass p = keys.sign(memberId, System.currentTimeMillis());
            return "png".equals(f) ? new Object[]{p, png(p.text())} : new Object[]{p, null};
        }, false).compose(signed -> {
            RiderPass p = (RiderPass) signed[0];
            return audited(entry.map(e -> e.with("format", f).with("kid", p.kid()).with("expiresAt", p.expiresAtMillis())))
                    .map(signed);
        }).onComplete(ar -> {
            if (ar.failed()) {
                replies.fail(ctx, ar.cause());
                return;
            }
            RiderPass p = (RiderPass) ar.result()[0];
            ctx.response().putHeader("Cache-Control", "no-store");
            if (ar.result()[1] instanceof byte[] png) {
                ctx.response().putHeader("Content-Type", "image/png")
                        .putHeader("X-Pass-Expires-At", Long.toString(p.expiresAtMillis()))
                        .end(io.vertx.core.buffer.Buffer.buffer(png));
            } else {
                replies.send(ctx, org.yizhan.hub.http.Reply.ok(new JsonObject().put("pass", p.text())
                        .put("expiresAt", p.expiresAtMillis()).put("kid", p.kid()).put("member", m.pseudonym())));
            }
        });
    }

    /** The QR code PNG of a pass text (alphanumeric mode, error correction M, quiet zone of 4 modules). */
    public static byte[] png(String text) throws Exception {
        BitMatrix m = new QRCodeWriter().encode(text, BarcodeFormat.QR_CODE, PNG_SIZE_PX, PNG_SIZE_PX,
                Map.of(EncodeHintType.MARGIN, 4, EncodeHintType.ERROR_CORRECTION, ErrorCorrectionLevel.M));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MatrixToImageWriter.writeToStream(m, "PNG", out);
        return out.toByteArray();
    }
}
