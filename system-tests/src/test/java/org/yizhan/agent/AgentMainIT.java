package org.yizhan.agent;

import org.yizhan.testing.TestAgent;
import org.yizhan.testing.TestBroker;
import org.yizhan.protocol.Topics;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.config.StationConfig;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.yizhan.testing.Futures.get;

@ExtendWith(VertxExtension.class)
class AgentMainIT {

    @TempDir
    Path tmp;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int cli(String... args) {
        return new AgentMain(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of()).execute(args);
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void configValidateAcceptsAGoodFile() throws Exception {
        Path f = tmp.resolve("good.json");
        Files.writeString(f, TestAgent.config("st-good", 1883, 2, 10).toJson().encode());
        assertThat(cli("config", "validate", f.toString())).isEqualTo(0);
        assertThat(stdout().strip()).isEqualTo("OK");
    }

    @Test
    void configValidateListsEveryProblemAndExitsWith2() throws Exception {
        JsonObject bad = TestAgent.config("st-bad", 1883, 2, 10).toJson()
                .put("heartbeatSeconds", 0).put("profile", "pi9");
        Path f = tmp.resolve("bad.json");
        Files.writeString(f, bad.encode());
        assertThat(cli("config", "validate", f.toString())).isEqualTo(2);
        assertThat(stderr()).contains("heartbeatSeconds").contains("pi9");
        assertThat(cli("config", "validate", tmp.resolve("missing.json").toString())).isEqualTo(2);
        assertThat(stderr()).contains("does not exist");
        Path garbage = tmp.resolve("garbage.json");
        Files.writeString(garbage, "not json");
        assertThat(cli("config", "validate", garbage.toString())).isEqualTo(2);
    }

    @Test
    void unknownCommandOrOptionIsAUsageError() {
        assertThat(cli("fly")).isEqualTo(2);
        assertThat(cli("status", "--bogus")).isEqualTo(2);
        assertThat(cli("provision", "--hub")).isEqualTo(2);
        assertThat(stderr()).contains("Usage");
    }

    @Test
    void provisionStoresTheConfigWithMode0600AndNeverPrintsThePassword(Vertx vertx) throws Exception {
        List<JsonObject> requests = new CopyOnWriteArrayList<>();
        StationConfig c = TestAgent.config("st-new", 1883, 2, 10);
        JsonObject config = c.toJson();
        config.remove("mqtt");
        HttpServer hub = get(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
            JsonObject body = b.toJsonObject();
            requests.add(body);
            if (!"GOOD-CODE".equals(body.getString("claimCode"))) {
                req.response().setStatusCode(404).end(new JsonObject().put("error", new JsonObject()
                        .put("code", "not-found").put("message", "unknown or already used claim code")).encode());
                return;
            }
            req.response().setStatusCode(200).end(new JsonObject().put("stationId", "st-new")
                    .put("mqtt", new JsonObject().put("host", "hub.example").put("port", 8883).put("tls", true)
                            .put("username", "st-new").put("password", "TopSecret-123"))
                    .put("config", config).encode());
        })).listen(0, "127.0.0.1"));
        String url = "http://127.0.0.1:" + hub.actualPort();
        Path dir = tmp.resolve("state");

        assertThat(cli("provision", "--hub", url, "--code", "BAD-CODE", "--dir", dir.toString())).isEqualTo(2);
        assertThat(stderr()).contains("unknown or already used claim code");
        assertThat(dir.resolve("config.json")).doesNotExist();

        assertThat(cli("provision", "--hub", url, "--code", "GOOD-CODE", "--dir", dir.toString())).isEqualTo(0);
        assertThat(requests).extracting(r -> r.getString("claimCode")).containsExactly("BAD-CODE", "GOOD-CODE");
        Path file = dir.resolve("config.json");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
        StationConfig stored = StationConfig.parse(Files.readString(file));
        assertThat(stored.stationId()).isEqualTo("st-new");
        assertThat(stored.mqtt().host()).isEqualTo("hub.example");
        assertThat(stored.mqtt().port()).isEqualTo(8883);
        assertThat(stored.mqtt().tls()).isTrue();
        assertThat(stored.mqtt().password()).isEqualTo("TopSecret-123");
        assertThat(stdout()).contains("st-new").doesNotContain("TopSecret-123");
        assertThat(stderr()).doesNotContain("TopSecret-123");
        get(hub.close());
    }

    @Test
    void provisionReportsAnUnreachableHub() {
        assertThat(cli("provision", "--hub", "http://127.0.0.1:9", "--code", "X", "--dir", tmp.toString()))
                .isEqualTo(1);
        assertThat(stderr()).contains("cannot reach the hub");
        assertThat(cli("provision", "--hub", "ftp://x", "--code", "X", "--dir", tmp.toString())).isEqualTo(2);
    }

    @Test
    void statusSaysClearlyWhenTheAgentIsNotRunning() throws Exception {
        assertThat(cli("status", "--dir", tmp.toString())).isEqualTo(1);
        assertThat(stderr()).contains("not running");
        Files.writeString(tmp.resolve("ports.json"), "{\"http\":9}");
        assertThat(cli("status", "--dir", tmp.toString())).isEqualTo(1);
        assertThat(stderr()).contains("nothing answers");
    }

    @Test
    void statusPrintsASummaryOfTheRunningAgent(Vertx vertx) throws Exception {
        TestAgent agent = TestAgent.start(vertx, TestAgent.config("st-status", 9, 2, 8), tmp);
        try {
            assertThat(cli("status", "--dir", tmp.toString())).isEqualTo(0);
            assertThat(stdout()).contains("st-status").contains("NOT connected").contains("0 / 8")
                    .contains("available");
        } finally {
            agent.stop();
        }
    }

    @Test
    void selftestRunsTheSelfTestInTheRunningAgentWithTheTechniciansTokenOnly(Vertx vertx) throws Exception {
        assertThat(cli("selftest", "--dir", tmp.toString())).as("no agent").isEqualTo(1);
        assertThat(stderr()).contains("not running");
        TestAgent agent = TestAgent.start(vertx, TestAgent.config("st-selftest", 9, 2, 8), tmp);
        try {
            assertThat(java.nio.file.Files.getPosixFilePermissions(tmp.resolve("selftest.token")))
                    .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                            java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
            // no uplink here: every hardware check passes on the simulated station, the uplink check fails
            assertThat(cli("selftest", "--dir", tmp.toString())).isEqualTo(1);
            assertThat(stdout()).contains("Running the self-test").contains("  ok    relay")
                    .contains("  FAIL  uplink").contains("Self-test FAILED");
            // the kiosk page, or anything else on the Pi, without the token: refused, no relay pulsed
            assertThat(agent.post("/selftest").statusCode()).isEqualTo(403);
            assertThat(cli("selftest", "--dir", tmp.toString(), "--simulate")).isEqualTo(2);
        } finally {
            agent.stop();
        }
    }

    @Test
    void runExitsWith75WhenTheHubAsksForARestart(Vertx vertx) throws Exception {
        TestBroker broker = new TestBroker();
        int port = get(broker.start(vertx));
        try {
            Path dir = tmp.resolve("agent");
            org.yizhan.agent.config.ConfigFile.write(dir, TestAgent.config("st-restart", port, 2, 10));
            java.util.concurrent.CompletableFuture<Integer> exit = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> cli("run", "--dir", dir.toString(), "--simulate"));
            await().atMost(Duration.ofSeconds(30)).until(() -> broker.on("state").size() == 1);
            String id = org.yizhan.protocol.Ulid.next();
            broker.send(Topics.root("st-restart") + "cmd", StationAgentUplinkIT.command(id, "agent.restart",
                    new JsonObject(), System.currentTimeMillis() + 60_000));
            assertThat(exit.get(30, java.util.concurrent.TimeUnit.SECONDS)).as(stderr()).isEqualTo(AgentMain.RESTART);
            assertThat(broker.on("cmd/res")).hasSize(1);
            assertThat(broker.on("cmd/res").get(0).payload().getBoolean("ok")).isTrue();
            assertThat(broker.on("state").get(1).payload().getString("reason")).as("it said goodbye first")
                    .isEqualTo("shutdown");
            assertThat(stdout()).contains("stopped for a restart (exit 75)");
        } finally {
            get(broker.close());
        }
    }
}
