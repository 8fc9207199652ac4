package org.yizhan.e2e;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.protocol.UpdateBundle;
import org.yizhan.testing.Proc;
import org.yizhan.testing.ServiceLoop;
import org.yizhan.testing.TestHub;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Signed agent updates from end to end: two stations provisioned and run through the packaged launcher
 * ({@code firmware-config/os/bin/yizhan-agent}) as systemd would run them, the real agent jar, a hub with the
 * union's release key. A signed update rolled out in rings (one station, then the other) is installed on both,
 * each keeping it only after it came back online and passed its self-test; a signed but broken update (a jar that
 * does not start) is given up by the launcher on the first station after three starts, the previous version runs
 * again and says so, and the rollout halts before the second station gets it.
 */
@ExtendWith(VertxExtension.class)
class AgentUpdateIT {

    private static final Path LAUNCHER = Path.of("").toAbsolutePath().getParent()
            .resolve("firmware-config/os/bin/yizhan-agent");

    @TempDir
    Path tmp;

    private final List<ServiceLoop> services = new ArrayList<>();

    @AfterEach
    void stopAgents() throws Exception {
        for (ServiceLoop s : services) {
            s.close();
        }
    }

    @Test
    void aSignedUpdateReachesBothStationsInRingsAndABrokenOneRollsBackOnItsOwn(Vertx vertx) throws Exception {
        Path agentJar = Proc.jar("station-agent", "yizhan-agent.jar");
        String packaged = implementationVersion(agentJar);
        KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
        KeyPair release = g.generateKeyPair();
        Path pub = tmp.resolve("release.pub");
        Files.writeString(pub, UpdateBundle.pem(release.getPublic()));

        try (TestHub hub = TestHub.start(vertx, tmp, Map.of("YIZHAN_UPDATE_KEYS", pub.toString()))) {
            String admin = hub.adminToken();
            String a = station(hub, admin, "升级站 甲");
            String b = station(hub, admin, "升级站 乙");
            assertThat(Files.readString(dir(a).resolve("update-keys.pem")))
                    .as("the release key is pinned at provisioning").isEqualTo(UpdateBundle.pem(release.getPublic()));
            hub.awaitConnected(a);
            hub.awaitConnected(b);
            awaitVersion(hub, admin, a, packaged);
            awaitVersion(hub, admin, b, packaged);

            // ---- what the hub refuses ----
            String good = packaged + "+u1";
            byte[] goodBundle = bundle(withVersion(agentJar, good), good, release);
            KeyPair stranger = g.generateKeyPair();
            HttpResponse<String> forged = upload(hub, admin, bundle(withVersion(agentJar, good), good, stranger));
            assertThat(forged.statusCode()).as(forged.body()).isEqualTo(400);
            assertThat(forged.body()).contains("bad-signature");
            HttpResponse<String> junk = upload(hub, admin, "not a bundle".getBytes(StandardCharsets.UTF_8));
            assertThat(junk.statusCode()).as(junk.body()).isEqualTo(400);
            assertThat(junk.body()).contains("bad-bundle");
            String operator = hub.user(TestHub.OPERATOR, "operator");
            assertThat(upload(hub, operator, goodBundle).statusCode()).as("an operator may not upload").isEqualTo(403);

            HttpResponse<String> uploaded = upload(hub, admin, goodBundle);
            assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(201);
            assertThat(new JsonObject(uploaded.body()).getJsonObject("update").getString("keyId"))
                    .isEqualTo(UpdateBundle.keyId(release.getPublic()));
            assertThat(upload(hub, admin, goodBundle).statusCode()).as("the same version twice").isEqualTo(409);
            assertThat(download(hub, null).statusCode()).as("no credentials").isEqualTo(401);
            assertThat(download(hub, "Basic " + Base64.getEncoder().encodeToString((a + ":wrong")
                    .getBytes(StandardCharsets.UTF_8))).statusCode()).as("a wrong station secret").isEqualTo(401);

            // ---- a good update, in rings ----
            JsonObject rollout = hub.call("POST", "/api/v1/agent-updates/" + enc(good) + "/rollouts", admin,
                    new JsonObject().put("stations", new JsonArray().add(a).add(b)).put("canary", a)
                            .put("deadlineSeconds", 120));
            assertThat(rollout.getJsonObject("rings").getMap()).containsEntry("0", 1).containsEntry("1", 1)
                    .containsEntry("2", 0);
            JsonObject done = awaitRollout(hub, admin, rollout.getString("id"), "done", Duration.ofMinutes(4));
            JsonObject ta = target(done, a);
            JsonObject tb = target(done, b);
            assertThat(ta.getString("status")).as(done.encodePrettily()).isEqualTo("applied");
            assertThat(tb.getString("status")).as(done.encodePrettily()).isEqualTo("applied");
            assertThat(ta.getInteger("ring")).isZero();
            assertThat(tb.getInteger("ring")).isEqualTo(1);
            assertThat(ta.getString("fromVersion")).isEqualTo(packaged);
            assertThat(tb.getLong("updatedAt")).as("the second ring after the first").isGreaterThanOrEqualTo(ta.getLong("updatedAt"));
            awaitVersion(hub, admin, a, good);
            awaitVersion(hub, admin, b, good);
            for (String s : List.of(a, b)) {
                assertThat(Files.readString(dir(s).resolve("updates/current")).strip()).isEqualTo(good);
                assertThat(dir(s).resolve("updates/pending")).as("the trial is over").doesNotExist();
                assertThat(events(hub, admin, s, "update.applied")).as(s).hasSize(1);
            }

            // ---- a broken update: signed, but its jar does not start ----
            String broken = packaged + "+u2";
            Path brokenJar = tmp.resolve("broken.jar");
            Manifest m = new Manifest();
            m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
            m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "org.yizhan.agent.NoSuchMain");
            try (OutputStream out = Files.newOutputStream(brokenJar); JarOutputStream jar = new JarOutputStream(out, m)) {
                jar.flush();
            }
            assertThat(upload(hub, admin, bundle(brokenJar, broken, release)).statusCode()).isEqualTo(201);
            int startsBefore = services.get(0).starts();
            JsonObject second = hub.call("POST", "/api/v1/agent-updates/" + enc(broken) + "/rollouts", admin,
                    new JsonObject().put("canary", a).put("stations", new JsonArray().add(a).add(b))
                            .put("deadlineSeconds", 120));
            JsonObject halted = awaitRollout(hub, admin, second.getString("id"), "halted", Duration.ofMinutes(3));
            JsonObject ha = target(halted, a);
            assertThat(ha.getString("status")).as(halted.encodePrettily()).isEqualTo("rolled_back");
            assertThat(ha.getString("detail")).contains("rolled back to " + good).contains("started 3 times");
            assertThat(target(halted, b).getString("status")).as("the second ring never started").isEqualTo("waiting");
            assertThat(halted.getString("detail")).contains(a).contains("rolled back");
            awaitVersion(hub, admin, a, good);
            hub.awaitConnected(a);
            assertThat(Files.readString(dir(a).resolve("updates/current")).strip()).isEqualTo(good);
            assertThat(services.get(0).starts() - startsBefore).as("the broken version's three starts, then the good "
                    + "one").isGreaterThanOrEqualTo(4);
            assertThat(events(hub, admin, a, "update.rolled_back")).hasSize(1);
            assertThat(Files.readString(dir(b).resolve("updates/current")).strip()).isEqualTo(good);

            // an operator can cancel what is left of it
            JsonObject cancelled = hub.call("POST", "/api/v1/rollouts/" + second.getString("id") + "/cancel", admin,
                    new JsonObject());
            assertThat(cancelled.getString("state")).isEqualTo("cancelled");
            assertThat(target(cancelled, b).getString("status")).isEqualTo("cancelled");
        }
    }

    private Path dir(String stationId) {
        return tmp.resolve("agents").resolve(stationId);
    }

    /** Registers a station, provisions it with the launcher's {@code provision} and starts it as a service. */
    private String station(TestHub hub, String admin, String name) throws Exception {
        JsonObject created = hub.createStation(admin, TestHub.station(name).put("heartbeatSeconds", 2)
                .put("telemetrySeconds", 5));
        String id = created.getJsonObject("station").getString("id");
        Path dir = dir(id);
        Map<String, String> env = Map.of("YIZHAN_AGENT_JAR", Proc.jar("station-agent", "yizhan-agent.jar").toString(),
                "YIZHAN_AGENT_DIR", dir.toString(), "YIZHAN_AGENT_HTTP_PORT", "0", "JAVA_HOME",
                System.getProperty("java.home"), "PATH", Path.of(System.getProperty("java.home"), "bin") + ":"
                        + System.getenv("PATH"));
        ProcessBuilder pb = new ProcessBuilder("sh", LAUNCHER.toString(), "provision", "--hub", hub.url(""), "--code",
                created.getString("claimCode"), "--dir", dir.toString()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        services.add(ServiceLoop.start(id, List.of("sh", LAUNCHER.toString(), "run", "--dir", dir.toString(),
                "--simulate"), env, tmp.resolve("logs")));
        return id;
    }

    private static String enc(String version) {
        return java.net.URLEncoder.encode(version, StandardCharsets.UTF_8);
    }

    private static String implementationVersion(Path jar) throws Exception {
        try (JarFile j = new JarFile(jar.toFile())) {
            String v = j.getManifest().getMainAttributes().getValue(Attributes.Name.IMPLEMENTATION_VERSION);
            assertThat(v).as("the agent jar names its version").isNotBlank();
            return v;
        }
    }

    /** A copy of the agent jar that calls itself {@code version}: a new build, as far as the station can tell. */
    private Path withVersion(Path agentJar, String version) throws Exception {
        Path copy = tmp.resolve("agent-" + version.replace('+', '_') + ".jar");
        if (Files.exists(copy)) {
            return copy;
        }
        Files.copy(agentJar, copy, StandardCopyOption.REPLACE_EXISTING);
        try (FileSystem zip = FileSystems.newFileSystem(copy)) {
            Path mf = zip.getPath("META-INF/MANIFEST.MF");
            Manifest m;
            try (var in = Files.newInputStream(mf)) {
                m = new Manifest(in);
            }
            m.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_VERSION, version);
            try (OutputStream out = Files.newOutputStream(mf)) {
                m.write(out);
            }
        }
        return copy;
    }

    private static byte[] bundle(Path jar, String version, KeyPair key) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        UpdateBundle.write(jar, version, key.getPrivate(), key.getPublic(), out);
        return out.toByteArray();
    }

    private static HttpResponse<String> upload(TestHub hub, String token, byte[] bundle) throws Exception {
        return hub.send("POST", "/api/v1/agent-updates", token, "application/octet-stream", bundle);
    }

    private static HttpResponse<Void> download(TestHub hub, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(hub.url("/api/v1/agent-updates/x/bundle")))
                .timeout(Duration.ofSeconds(30));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.discarding());
    }

    private static void awaitVersion(TestHub hub, String token, String stationId, String version) {
        await(stationId + " runs " + version).atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
                .until(() -> version.equals(hub.call("GET", "/api/v1/agents", token, null).getJsonObject("agents")
                        .getJsonObject(stationId, new JsonObject()).getString("version")));
    }

    private static JsonObject awaitRollout(TestHub hub, String token, String id, String state, Duration atMost) {
        JsonObject[] last = {null};
        await("rollout " + id + " " + state).atMost(atMost).pollInterval(Duration.ofSeconds(1)).until(() -> {
            last[0] = hub.call("GET", "/api/v1/rollouts/" + id, token, null);
            return state.equals(last[0].getString("state"));
        });
        return last[0];
    }

    private static JsonObject target(JsonObject rollout, String stationId) {
        return rollout.getJsonArray("targets").stream().map(o -> (JsonObject) o)
                .filter(t -> stationId.equals(t.getString("stationId"))).findFirst().orElseThrow();
    }

    private static List<JsonObject> events(TestHub hub, String token, String stationId, String type) throws Exception {
        return hub.call("GET", "/api/v1/events?stationId=" + stationId + "&type=" + type, token, null)
                .getJsonArray("events").stream().map(o -> (JsonObject) o).toList();
    }
}
