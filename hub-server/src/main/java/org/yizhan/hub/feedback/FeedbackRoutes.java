package org.yizhan.hub.feedback;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.hub.auth.MemberLogin;
import org.yizhan.hub.feature.EventEffects;
import org.yizhan.hub.feature.HubFeature;
import org.yizhan.hub.http.ApiException;
import org.yizhan.hub.http.Authenticator;
import org.yizhan.hub.http.ClientAddress;
import org.yizhan.hub.http.JsonBody;
import org.yizhan.hub.http.Principal;
import org.yizhan.hub.http.QueryParams;
import org.yizhan.hub.http.RateLimiter;
import org.yizhan.hub.http.Replies;
import org.yizhan.hub.http.Reply;
import org.yizhan.hub.http.Role;
import org.yizhan.hub.http.StationIds;
import org.yizhan.hub.live.Bus;
import org.yizhan.hub.members.Member;
import org.yizhan.hub.metrics.HubMetrics;
import org.yizhan.hub.stations.StationStore;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Rider feedback ("劳动者说") over HTTP.
 * <ul>
 *   <li>{@code GET /f/{stationId}}: the rider's form ({@code webroot/feedback.html}), opened from the kiosk's QR;</li>
 *   <li>{@code GET /api/v1/feedback/form/{stationId}} (anyone): {@code {"stationId","name","categories"}};</li>
 *   <li>{@code POST /api/v1/feedback} (anyone, limited per client address; a member token
 *   {@code Authorization: Bearer ymt_...} links it to the member) {@code {"stationId","category","text","contact"?}}
 *   → 201 {@code {"id","secret","feedback"}}: the rider's browser keeps id and secret;</li>
 *   <li>{@code GET /api/v1/feedback/{id}?k=secret} (the sender): the item and its answer; 404 for a wrong secret;</li>
 *   <li>{@code GET /api/v1/feedback?stationId=&status=new|triaged|answered|open&overdue=true&limit=} (operator+):
 *   {@code {"feedback":[..],"counts":{"total","new","triaged","answered","open","overdue"}}}, newest first;</li>
 *   <li>{@code POST /api/v1/feedback/{id}/triage {"priority":"urgent"|"normal"}} and
 *   {@code POST /api/v1/feedback/{id}/answer {"text"}} (operator+) → the item; 409 once answered.</li>
 * </ul>
 * Technicians see mobile numbers masked. Texts are kept as written; pages show them as text. Answering an item
 * (or a triage that moves its deadline past now) closes its {@code feedback-overdue} alert, published on
 * {@link Bus#LIVE} like every alert change.
 */
public final class FeedbackRoutes implements HubFeature {

    public static final int MAX_TEXT_CHARS = 1000;
    public static final int MAX_CONTACT_CHARS = 100;
    private static final Logger LOG = LoggerFactory.getLogger(FeedbackRoutes.class);
    private static final Pattern STATUS = Pattern.compile("new|triaged|answered|open");
    private static final Pattern SECRET = Pattern.compile("[A-Za-z0-9_-]{16,64}");

    private final Vertx vertx;
    private final FeedbackStore store;
    private final StationStore stations;
    private final MemberLogin memberLogin;
    private final Authenticator auth;
    private final Replies replies;
    private final HubMetrics metrics;
    private final RateLimiter submissions;

    public FeedbackRoutes(Vertx vertx, FeedbackStore store, StationStore stations, MemberLogin memberLogin,
                          Authenticator auth, Replies replies, HubMetrics metrics, int perAddressPerMinute) {
        this.vertx = vertx;
        this.store = store;
        this.stations = stations;
        this.memberLogin = memberLogin;
        this.auth = auth;
        this.replies = replies;
        this.metrics = metrics;
        this.submissions = new RateLimiter(perAddressPerMinute);
    }

    @Override
    public void mount(Router router) {
        router.get("/f/:stationId").handler(ctx -> ctx.reroute("/feedback.html"));
        router.get("/api/v1/feedback/form/:id").handler(replies.json(this::form));
        router.post("/api/v1/feedback").handler(replies.json(this::create));
        auth.json(router.get("/api/v1/feedback"), Role.OPERATOR, this::list);
        router.get("/api/v1/feedback/:id").handler(replies.json(this::forRider));
        auth.json(router.post("/api/v1/feedback/:id/triage"), Role.OPERATOR, this::triage);
        auth.json(router.post("/api/v1/feedback/:id/answer"), Role.OPERATOR, this::answer);
    }


    private Future<Reply> form(RoutingContext ctx) {
        String id = StationIds.fromPath(ctx);
        return stations.get(id).map(s -> Reply.ok(new JsonObject().put("stationId", id)
                .put("name", s.orElseThrow(StationIds::notFound).name())
                .put("categories", new JsonArray(Feedback.CATEGORIES))));
    }

    private Future<Reply> create(RoutingContext ctx) {
        String key = ClientAddress.of(ctx);
        long now = System.currentTimeMillis();
        Optional<ApiException> limited = submissions.refusal(now, key);
        if (limited.isPresent()) {
            metrics.counter("yizhan_feedback_rejects", "reason", "rate-limited");
            return Future.failedFuture(limited.get());
        }
        submissions.record(key, now);
        JsonBody b = JsonBody.of(ctx);
        String stationId = b.string("stationId", 3, 40);
        if (!StationIds.PATTERN.matcher(stationId).matches()) {
            throw ApiException.badField("stationId", "must be a station id like wensan-01");
        }
        String category = b.string("category", 1, 20);
        if (!Feedback.CATEGORIES.contains(category)) {
            throw ApiException.badField("category", "must be one of " + String.join(", ", Feedback.CATEGORIES));
        }
        String text = cleanText("text", b.string("text", 1, MAX_TEXT_CHARS));
        Optional<String> contact = b.optionalString("contact", 0, MAX_CONTACT_CHARS).map(String::strip)
                .filter(c -> !c.isEmpty());
        if (contact.isPresent() && contact.get().codePoints().anyMatch(Character::isISOControl)) {
            throw ApiException.badField("contact", "must be one line without control characters");
        }
        return memberLogin.optional(ctx).compose(m -> store.create(stationId, category, text, contact, m.map(Member::id), now))
                .map(created -> {
                    FeedbackStore.Created c = created.orElseThrow(StationIds::notFound);
                    metrics.counter("yizhan_feedback_received", "category", category);
                    LOG.info("Feedback {} received for station {} ({})", c.feedback().id(), stationId, category);
                    return Reply.created(new JsonObject().put("id", c.feedback().id()).put("secret", c.secret())
                            .put("feedback", c.feedback().riderJson(now)));
                });
    }

    private Future<Reply> forRider(RoutingContext ctx) {
        String id = ticketId(ctx);
        String secret = new QueryParams(ctx).string("k", 64)
                .orElseThrow(() -> ApiException.badField("k", "is required: the key given with the ticket"));
        if (!SECRET.matcher(secret).matches()) {
            throw notFound();
        }
        long now = System.currentTimeMillis();
        return store.forRider(id, secret).map(f -> Reply.ok(new JsonObject()
                .put("feedback", f.orElseThrow(FeedbackRoutes::notFound).riderJson(now))));
    }

    private Future<Reply> list(RoutingContext ctx) {
        QueryParams q = new QueryParams(ctx);
        Optional<String> stationId = q.matching("stationId", StationIds.PATTERN, "must be a station id");
        Optional<String> status = q.matching("status", STATUS, "must be new, triaged, answered or open");
        boolean overdue = q.bool("overdue", false);
        int limit = q.intValue("limit", 1, FeedbackStore.MAX_LIMIT, 200);
        boolean phones = phones(Authenticator.principal(ctx));
        long now = System.currentTimeMillis();
        return store.list(new FeedbackStore.Query(stationId, status, overdue, limit), now).map(page -> {
            JsonArray items = new JsonArray();
            page.items().forEach(f -> items.add(f.staffJson(now, phones)));
            JsonObject counts = new JsonObject();
            page.counts().forEach(counts::put);
            return Reply.ok(new JsonObject().put("feedback", items).put("counts", counts).put("now", now));
        });
    }

    private Future<Reply> triage(RoutingContext ctx) {
        String id = ticketId(ctx);
        String priority = JsonBody.of(ctx).string("priority", 1, 10);
        if (!Deadlines.URGENT.equals(priority) && !Deadlines.NORMAL.equals(priority)) {
            throw ApiException.badField("priority", "must be urgent (answer today) or normal (within 3 days)");
        }
        Principal p = Authenticator.principal(ctx);
        long now = System.currentTimeMillis();
        return store.triage(id, priority, p.username(), now).map(o -> {
            Feedback f = outcome(o);
            LOG.info("User '{}' triaged feedback {} as {}", p.username(), id, priority);
            return Reply.ok(new JsonObject().put("feedback", f.staffJson(now, phones(p))));
        });
    }

    private Future<Reply> answer(RoutingContext ctx) {
        String id = ticketId(ctx);
        String text = cleanText("text", JsonBody.of(ctx).string("text", 1, MAX_TEXT_CHARS));
        Principal p = Authenticator.principal(ctx);
        long now = System.currentTimeMillis();
        return store.answer(id, text, p.username(), now).map(o -> {
            Feedback f = outcome(o);
            LOG.info("User '{}' answered feedback {}{}", p.username(), id, now > f.deadline() ? " after its deadline" : "");
            metrics.counter("yizhan_feedback_answered", "onTime", Boolean.toString(now < f.deadline()));
            return Reply.ok(new JsonObject().put("feedback", f.staffJson(now, phones(p))));
        });
    }

    private Feedback outcome(FeedbackStore.Outcome o) {
        o.closedAlert().ifPresent(a -> vertx.eventBus().publish(Bus.LIVE,
                EventEffects.live("alert", a.getString("stationId"), a)));
        return switch (o.result()) {
            case NOT_FOUND -> throw notFound();
            case ALREADY_ANSWERED -> throw ApiException.of(409, "already-answered",
                    "This feedback was answered by " + o.feedback().orElseThrow().answeredBy().orElse("someone"));
            case CHANGED -> o.feedback().orElseThrow();
        };
    }

    /** Staff who may see riders' phone numbers: operators and admins, not technicians. */
    private static boolean phones(Principal p) {
        return p.role() != Role.TECHNICIAN;
    }

    /** Stripped; line breaks and tabs kept, other control characters refused. */
    private static String cleanText(String field, String s) {
        String t = s.strip().replace("\r\n", "\n");
        if (t.isEmpty()) {
            throw ApiException.badField(field, "must not be empty");
        }
        if (t.codePoints().anyMatch(ch -> Character.isISOControl(ch) && ch != '\n' && ch != '\t')) {
            throw ApiException.badField(field, "must not contain control characters");
        }
        return t;
    }

    private static String ticketId(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        if (id == null || !Feedback.ID.matcher(id).matches()) {
            throw notFound();
        }
        return id;
    }

    private static ApiException notFound() {
        return ApiException.of(404, "feedback-not-found", "No such feedback, or the key does not match");
    }
}
