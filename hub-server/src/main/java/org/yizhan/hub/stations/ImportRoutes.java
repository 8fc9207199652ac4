package org.yizhan.hub.stations;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.hub.feature.HubFeature;
import org.yizhan.hub.http.ApiException;
import org.yizhan.hub.http.Authenticator;
import org.yizhan.hub.http.Replies;
import org.yizhan.hub.http.Reply;
import org.yizhan.hub.http.Role;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code POST /api/v1/stations/import} (technician+): registers many stations from a CSV file (UTF-8, with or
 * without a byte order mark; header {@code name,address,lat,lon,profile,ports,capacity}). Every row is checked
 * first; when any is bad the answer lists every problem by row and column and nothing is created; otherwise all
 * are created in one transaction and the answer gives each station's id and claim code. At most
 * {@link StationImport#MAX_ROWS} stations and {@link #MAX_BODY_BYTES} a file (413 past either). An optional
 * {@code district} column sets each station's district.
 *
 * <p>{@code GET /api/v1/stations.csv} (operator+): every station as CSV (UTF-8 with a byte order mark, for Excel),
 * header {@code id,name,district,address,lat,lon,profile,ports,capacity}: the import's columns with the id.
 */
public final class ImportRoutes implements HubFeature {

    public static final String PATH = "/api/v1/stations/import";
    public static final String EXPORT_PATH = "/api/v1/stations.csv";
    static final List<String> EXPORT_COLUMNS = List.of("id", "name", "district", "address", "lat", "lon", "profile",
            "ports", "capacity");
    public static final long MAX_BODY_BYTES = 1024 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(ImportRoutes.class);

    private final StationStore stations;
    private final Map<String, Integer> portsPerProfile;
    private final Authenticator auth;
    private final Replies replies;

    public ImportRoutes(StationStore stations, Map<String, Integer> portsPerProfile, Authenticator auth,
                        Replies replies) {
        this.stations = stations;
        this.portsPerProfile = Map.copyOf(portsPerProfile);
        this.auth = auth;
        this.replies = replies;
    }

    @Override
    public void mountFirst(Router router) {
        // a file of stations is larger than the API's usual bodies
        router.post(PATH).handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES)).failureHandler(ctx -> {
            if (ctx.statusCode() == 413) {
                replies.error(ctx, tooLarge());
            } else {
                ctx.next();
            }
        });
    }

    @Override
    public void mount(Router router) {
        auth.json(router.post(PATH), Role.TECHNICIAN, this::importCsv);
        router.get(EXPORT_PATH).handler(auth.require(Role.OPERATOR)).handler(this::exportCsv);
    }

    private void exportCsv(RoutingContext ctx) {
        stations.list().map(ImportRoutes::csv).onSuccess(text -> ctx.response()
                        .putHeader("Content-Type", "text/csv; charset=utf-8")
                        .putHeader("Content-Disposition", "attachment; filename=\"stations.csv\"")
                        .putHeader("Cache-Control", "no-store")
                        .end(text))
                .onFailure(e -> replies.fail(ctx, e));
    }

    static String csv(List<Station> list) {
        List<List<String>> rows = new ArrayList<>(list.size());
        for (Station s : list) {
            rows.add(List.of(s.id(), s.name(), s.district().orElse(""), s.address() == null ? "" : s.address(),
                    coordinate(s.lat()), coordinate(s.lon()), s.profile(), Integer.toString(s.ports()),
                    Integer.toString(s.capacity())));
        }
        return StationCsv.write(EXPORT_COLUMNS, rows);
    }

    private static String coordinate(double d) {
        return Double.isNaN(d) ? "" : Double.toString(d);
    }

    private static ApiException tooLarge() {
        return ApiException.of(413, "too-large", "The file is larger than " + MAX_BODY_BYTES / 1024
                + " KiB; split it into files of at most " + StationImport.MAX_ROWS + " stations");
    }

    private Future<Reply> importCsv(RoutingContext ctx) {
        String type = ctx.request().getHeader("Content-Type");
        String mime = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!mime.equals("text/csv")) {
            throw ApiException.of(415, "unsupported-media-type", "Send the file as text/csv (UTF-8)");
        }
        Buffer body = ctx.body().buffer();
        if (body == null || body.length() == 0) {
            throw ApiException.badRequest("The file is empty; the first row must be the header "
                    + String.join(",", StationImport.COLUMNS));
        }
        if (body.length() > MAX_BODY_BYTES) {
            throw tooLarge();
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body.getBytes())).toString();
        } catch (CharacterCodingException e) {
            throw ApiException.badRequest("The file is not UTF-8 text; save it as \"CSV UTF-8\"");
        }
        List<StationCsv.Row> rows;
        try {
            rows = StationCsv.read(text, StationImport.MAX_ROWS + 1);
        } catch (StationCsv.Malformed e) {
            throw ApiException.badRequest(e.getMessage());
        }
        if (rows.size() > StationImport.MAX_ROWS + 1) {
            throw ApiException.of(413, "too-many-rows", "The file has more than " + StationImport.MAX_ROWS
                    + " stations; split it into several files");
        }
        StationImport.Result checked = StationImport.check(rows, portsPerProfile);
        if (!checked.ok()) {
            return Future.succeededFuture(problems(400, "invalid-rows", checked.problems()));
        }
        TreeMap<Integer, NewStation> byRow = new TreeMap<>();
        checked.lines().forEach(l -> byRow.put(l.row(), l.station()));
        String by = Authenticator.principal(ctx).username();
        return stations.createAll(byRow).map(created -> {
            LOG.info("User '{}' imported {} stations", by, created.size());
            JsonArray out = new JsonArray();
            int i = 0;
            for (Map.Entry<Integer, NewStation> e : byRow.entrySet()) {
                StationStore.Created c = created.get(i++);
                out.add(new JsonObject().put("row", e.getKey()).put("id", c.station().id())
                        .put("name", c.station().name()).put("address", c.station().address())
                        .put("claimCode", ClaimCodes.display(c.claim().code()))
                        .put("claimExpiresAt", c.claim().expiresAt()));
            }
            return Reply.created(new JsonObject().put("count", out.size()).put("stations", out));
        }).recover(err -> {
            if (err instanceof StationStore.AlreadyRegistered ar) {
                List<StationImport.Problem> list = new ArrayList<>();
                ar.existing().forEach(x -> list.add(StationImport.Problem.of(x.row(), "name",
                        "'" + x.name() + "' at this address is registered already as " + x.stationId())));
                return Future.succeededFuture(problems(409, "already-registered", list));
            }
            return Future.failedFuture(err);
        });
    }

    private static Reply problems(int status, String code, List<StationImport.Problem> problems) {
        long rows = problems.stream().mapToInt(StationImport.Problem::row).distinct().count();
        String message = problems.size() + (problems.size() == 1 ? " problem" : " problems") + " in " + rows
                + (rows == 1 ? " row" : " rows") + "; nothing was created. " + problems.get(0).message();
        return new Reply(status, new JsonObject().put("error", new JsonObject().put("code", code)
                .put("message", message).put("problems", StationImport.Result.json(problems))));
    }
}
