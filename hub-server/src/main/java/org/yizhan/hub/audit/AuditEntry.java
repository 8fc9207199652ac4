package org.yizhan.hub.audit;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.yizhan.hub.http.ApiException;
import org.yizhan.hub.http.Authenticator;
import org.yizhan.hub.http.ClientAddress;
import org.yizhan.hub.http.Principal;

import java.util.Optional;

/**
 * One line of the audit log: who ({@code actor}, the role then, the client address) did what ({@code action}) to
 * what ({@code targetKind}, {@code targetId}), how it ended ({@code outcome}) and a small {@code detail}. Never put a
 * secret in {@code detail}: no password, token, claim code or pass text.
 */
public record AuditEntry(String actor, Optional<String> actorRole, String actorAddress, String action,
                         String targetKind, String targetId, String outcome, JsonObject detail) {

    /** The action was done. */
    public static final String OK = "ok";
    /** The role may not (403), or a login was refused. */
    public static final String REFUSED = "refused";
    /** The action was asked for and not done (bad input, nothing found, a conflict). */
    public static final String FAILED = "failed";

    /** What the signed-in user of the request is doing; outcome {@link #OK} until told otherwise. */
    public static AuditEntry by(RoutingContext ctx, String action, String targetKind, String targetId) {
        return by(ctx, Authenticator.principal(ctx), action, targetKind, targetId);
    }

    /** What {@code who} is doing from the request's client address. */
    public static AuditEntry by(RoutingContext ctx, Principal who, String action, String targetKind, String targetId) {
        return new AuditEntry(who.username(), Optional.of(who.role().wireName()), ClientAddress.of(ctx), action,
                targetKind, targetId, OK, new JsonObject());
    }

    /** What someone who is not signed in tried, as {@code claimed} (a failed login of a known account). */
    public static AuditEntry anonymous(RoutingContext ctx, String claimed, String action, String targetKind,
                                       String targetId) {
        return new AuditEntry(claimed, Optional.empty(), ClientAddress.of(ctx), action, targetKind, targetId, OK,
                new JsonObject());
    }

    /** A text field of the request's JSON body, or "-" when there is none (or the body is not JSON). */
    public static String bodyText(RoutingContext ctx, String field) {
        try {
            JsonObject b = ctx.body().asJsonObject();
            Object v = b == null ? null : b.getValue(field);
            return v instanceof String s && !s.isEmpty() ? s : "-";
        } catch (RuntimeException e) {
            return "-";
        }
    }

    public AuditEntry outcome(String outcome) {
        return new AuditEntry(actor, actorRole, actorAddress, action, targetKind, targetId, outcome, detail);
    }

    /** A copy with the detail's fields and these ({@code null} values are left out). */
    public AuditEntry with(String key, Object value) {
        JsonObject d = detail.copy();
        if (value != null) {
            d.put(key, value);
        }
        return new AuditEntry(actor, actorRole, actorAddress, action, targetKind, targetId, outcome, d);
    }

    /** The entry of the failure: refused for a 403, failed otherwise, with the error's status and code. */
    public AuditEntry failedWith(Throwable failure) {
        if (failure instanceof ApiException api) {
            return outcome(api.status() == 403 ? REFUSED : FAILED).with("status", api.status()).with("code", api.code());
        }
        return outcome(FAILED).with("status", 500).with("code", "internal");
    }
}
