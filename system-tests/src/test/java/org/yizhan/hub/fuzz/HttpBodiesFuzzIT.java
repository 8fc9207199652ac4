package org.yizhan.hub.fuzz;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;
import org.yizhan.testing.TestHub;
import org.yizhan.testing.fuzz.Corpus;
import org.yizhan.testing.fuzz.Mutations;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzing the hub's HTTP bodies over real HTTP: every route that takes a body, with bodies changed from the seeds in
 * {@code src/test/resources/fuzz/http/} (one per route, named {@code METHOD_path~with~tildes.json}), sent as the
 * admin, as nobody, and with the wrong media type. The hub must answer each one with a JSON error that has a code
 * and a short message, or with success; never a 5xx. {@code -Dfuzz.http.tries=N} sets how many requests.
 */
class HttpBodiesFuzzIT {

    private static final Corpus CORPUS = Corpus.load("http");
    private static Vertx vertx;
    private static Path dir;
    private static TestHub hub;
    private static String admin;
    private static String station;

    /** One request: the route, whose token, what media type, and the body. */
    record Call(String method, String path, boolean signedIn, String contentType, byte[] body) {
        @Override
        public String toString() {
            return method + " " + path + (signedIn ? " as admin" : " as nobody") + " (" + contentType + "): "
                    + new String(body, StandardCharsets.UTF_8);
        }
    }

    /** A route as its seed file names it: {@code POST_stations~{station}~claim.json}. */
    record Route(String method, String path) {
        static Route of(String seedName) {
            String name = seedName.replaceFirst("\\.json$", "");
            return new Route(name.substring(0, name.indexOf('_')),
                    "/api/v1/" + name.substring(name.indexOf('_') + 1).replace('~', '/'));
        }
    }

    @BeforeContainer
    static void startHub() throws Exception {
        vertx = Vertx.vertx();
        dir = Files.createTempDirectory("http-fuzz");
        hub = TestHub.start(vertx, dir);
        admin = hub.adminToken();
        hub.user("oper", "operator");
        station = hub.createStation(admin, TestHub.station("Fuzzed station")).getJsonObject("station").getString("id");
    }

    @AfterContainer
    static void stopHub() throws Exception {
        if (hub != null) {
            hub.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Provide
    Arbitrary<Call> calls() {
        return Arbitraries.integers().between(0, CORPUS.seeds().size() - 1).flatMap(i -> {
            Route route = Route.of(CORPUS.names().get(i));
            Arbitrary<byte[]> bodies = Arbitraries.oneOf(Mutations.of(CORPUS.only(i)),
                    Arbitraries.just(CORPUS.seeds().get(i)));
            return net.jqwik.api.Combinators.combine(bodies, Arbitraries.integers().between(0, 9))
                    .as((body, how) -> new Call(route.method(), route.path(), how != 0, how == 1 ? "text/plain" : "application/json",
                            body));
        });
    }

    /**
     * A request with no body bytes at all, to every route, as either media type: the hub has no body buffer then,
     * and routes that need one answered 500 (found by the 10^5 run); now 400 naming the body (a route whose body
     * is optional may succeed).
     */
    @Example
    void aRequestWithoutAnyBodyIsRefusedByName() throws Exception {
        for (String name : CORPUS.names()) {
            Route route = Route.of(name);
            String method = route.method();
            String path = route.path().replace("{station}", station);
            for (String type : new String[]{"application/json", "text/plain"}) {
                HttpResponse<String> r = hub.send(method, path, admin, type, new byte[0]);
                assertThat(r.statusCode()).as("%s %s (%s) without a body answered %s", method, path, type, r.body())
                        .isBetween(200, 499);
                if (r.statusCode() >= 400) {
                    assertThat(new JsonObject(r.body()).getJsonObject("error").getString("code"))
                            .as("%s %s: %s", method, path, r.body()).isNotBlank();
                }
                if (method.equals("POST") && route.path().equals("/api/v1/stations")) {
                    assertThat(r.body()).as("the route that answered 500").contains("body: a JSON object is required");
                }
            }
        }
    }

    @Property
    void everyBodyIsAnsweredWithSuccessOrAClearError(@ForAll("calls") Call call) throws Exception {
        String path = call.path().replace("{station}", station);
        byte[] body = new String(call.body(), StandardCharsets.UTF_8).replace("{station}", station)
                .getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> r = hub.send(call.method(), path, call.signedIn() ? admin : null, call.contentType(), body);
        Statistics.label("status").collect(r.statusCode() / 100 + "xx");
        assertThat(r.statusCode()).as("%s answered %s", call, r.body()).isBetween(200, 499);
        if (r.statusCode() >= 400) {
            JsonObject error = new JsonObject(r.body()).getJsonObject("error");
            assertThat(error).as("%s answered %s", call, r.body()).isNotNull();
            assertThat(error.getString("code")).as("code of %s", r.body()).matches("[a-z][a-z0-9.-]{1,40}");
            assertThat(error.getString("message")).as("message of %s", r.body()).isNotBlank().hasSizeLessThan(600);
        }
        Statistics.label("status").coverage(c -> c.check("4xx").percentage(p -> p >= 10));
    }
}
