package org.yizhan.e2e;

import io.questdb.ServerMain;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.yizhan.config.StationConfig;
import org.yizhan.testing.Browser;
import org.yizhan.testing.Http;
import org.yizhan.testing.Proc;
import org.yizhan.testing.TestAgent;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code deploy/cluster/cluster.sh} as the README tells anyone to run it: {@code start} brings up Mosquitto
 * (dynamic security, TLS), PostgreSQL, a QuestDB server, two broker-mode hubs and HAProxy; through HAProxy the
 * admin signs in with the password from {@code cluster.json} and provisions a station, whose real agent connects
 * to the broker over TLS with the cluster's CA and is online on both replicas; the overview in real Chromium
 * through HAProxy stays live when the replica holding its stream is killed; {@code stop} leaves none of the
 * processes it started, and is safe to repeat.
 */
@ExtendWith(VertxExtension.class)
class LocalClusterIT {

    private static final Path SCRIPT = Path.of("").toAbsolutePath().getParent().resolve("deploy/cluster/cluster.sh");
    // under target/, not a private temp folder: when run as root, PostgreSQL's own user must reach its data
    private static final Path DIR = Path.of("target", "local-cluster-it").toAbsolutePath();

    private boolean started;
    private TestAgent agent;
    private Browser browser;

    private static void assumeDebianBinaries() {
        for (String exe : List.of("/usr/sbin/mosquitto", "/usr/bin/mosquitto_ctrl",
                "/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so", "/usr/lib/postgresql/15/bin/initdb",
                "/usr/lib/postgresql/15/bin/pg_ctl", "/usr/sbin/haproxy", "/usr/bin/openssl", "/usr/bin/curl")) {
            assumeTrue(Files.exists(Path.of(exe)), "the local cluster needs " + exe
                    + " (Debian's mosquitto, mosquitto-clients, postgresql, haproxy, openssl, curl; .ci/run installs them)");
        }
    }

    private record Run(int exit, String output) {
    }

    private static Run cluster(String command) throws Exception {
        Files.createDirectories(DIR.getParent());
        Path out = Files.createTempFile(DIR.getParent(), "cluster-" + command, ".txt");
        ProcessBuilder pb = new ProcessBuilder("bash", SCRIPT.toString(), command).redirectErrorStream(true)
                .redirectOutput(out.toFile());
        pb.environment().put("YIZHAN_CLUSTER_DIR", DIR.toString());
        pb.environment().put("YIZHAN_HUB_JAR", Proc.jar("hub-server", "yizhan-hub.jar").toString());
        pb.environment().put("YIZHAN_QUESTDB_JAR",
                Path.of(ServerMain.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        Process p = pb.start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("cluster.sh " + command + " did not finish in 300 s:\n"
                    + Files.readString(out));
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }

    /** The pids in the cluster's pid files (what stop must end). */
    private static List<Long> pids() throws IOException {
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> files = Files.list(DIR.resolve("pids"))) {
            for (Path f : files.toList()) {
                pids.add(Long.parseLong(Files.readString(f).strip().split(" ")[0]));
            }
        }
        return pids;
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String presence(int port, String token, String stationId) throws Exception {
        Http http = new Http("http://127.0.0.1:" + port);
        http.token(token);
        Http.Response r = http.get("/api/v1/stations/" + stationId);
        return r.status() == 200 ? r.body().getJsonObject("presence").getString("state") : "HTTP " + r.status();
    }

    /** How many live streams (SSE) the hub at the port holds, from its Prometheus metrics. */
    private static int streams(int port) throws Exception {
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/metrics"))
                        .timeout(Duration.ofSeconds(5)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("metrics of the hub at %s: %s", port, r.body()).isEqualTo(200);
        return r.body().lines().filter(l -> l.startsWith("yizhan_sse_clients "))
                .mapToInt(l -> (int) Double.parseDouble(l.substring(l.indexOf(' ') + 1))).sum();
    }

    @AfterEach
    void stopWhatever() throws Exception {
        if (browser != null) {
            browser.close();
        }
        if (agent != null) {
            agent.close();
        }
        if (started) {
            cluster("stop");
        }
    }

    @Test
    void startsFromTheReadmeServesAStationThroughBothReplicasAndStopsEverything(Vertx vertx) throws Exception {
        assumeDebianBinaries();
        Run bad = cluster("restart-everything");
        assertThat(bad.exit()).as(bad.output()).isNotZero();
        assertThat(bad.output()).contains("usage:");

        started = true;
        Run start = cluster("start");
        assertThat(start.exit()).as("cluster.sh start said:\n" + start.output()).isZero();
        JsonObject json = new JsonObject(Files.readString(DIR.resolve("cluster.json")));
        JsonObject broker = json.getJsonObject("broker");
        assertThat(broker.getString("host")).isEqualTo("127.0.0.1");
        JsonArray hubs = json.getJsonArray("hubs");
        assertThat(hubs).hasSize(2);
        List<Long> pids = pids();
        assertThat(pids).as("mosquitto, postgres, questdb, two hubs, haproxy").hasSize(6)
                .allMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        for (int i = 0; i < 2; i++) {
            assertThat(pids).contains(hubs.getJsonObject(i).getLong("pid"));
        }

        Run again = cluster("start");
        assertThat(again.exit()).as("a second start while it runs is refused").isNotZero();
        assertThat(again.output()).contains("already running");
        assertThat(pids()).as("and leaves the running cluster alone").containsExactlyInAnyOrderElementsOf(pids);

        int lb = json.getInteger("http");
        Http api = new Http("http://127.0.0.1:" + lb);
        assertThat(api.post("/api/v1/auth/login", new JsonObject().put("username", "admin")
                .put("password", "wrong-" + json.getString("adminPassword"))).status()).isEqualTo(401);
        Http.Response login = api.post("/api/v1/auth/login", new JsonObject().put("username", "admin")
                .put("password", json.getString("adminPassword")));
        assertThat(login.status()).as(login.body().encode()).isEqualTo(200);
        String token = login.body().getString("token");
        api.token(token);
        Http.Response created = api.post("/api/v1/stations", new JsonObject().put("name", "本地集群站")
                .put("address", "杭州市西湖区 1 号").put("lat", 30.25).put("lon", 120.15).put("profile", "simulated")
                .put("ports", 4).put("capacity", 20));
        assertThat(created.status()).as(created.body().encode()).isEqualTo(201);

        agent = TestAgent.provision(vertx, "http://127.0.0.1:" + lb, created.body().getString("claimCode"),
                DIR.getParent().resolve("local-cluster-it-agent"));
        StationConfig.Mqtt mqtt = agent.config().mqtt();
        assertThat(mqtt.tls()).as("the station is sent to the broker's TLS listener").isTrue();
        assertThat(mqtt.port()).isEqualTo(broker.getInteger("mqtts"));
        String ca = Files.readString(Path.of(broker.getString("ca"))).replaceAll("\\s", "");
        assertThat(mqtt.caPem()).as("with the cluster's CA")
                .hasValueSatisfying(pem -> assertThat(pem.replaceAll("\\s", "")).isEqualTo(ca));
        agent.awaitUplink();
        String id = agent.stationId();
        for (int i = 0; i < 2; i++) {
            int port = hubs.getJsonObject(i).getInteger("http");
            await(id + " online on the hub at " + port).atMost(Duration.ofSeconds(30))
                    .until(() -> presence(port, token, id), "online"::equals);
        }

        // the overview through HAProxy in real Chromium is live; kill -9 the replica that holds its stream and the
        // page reconnects through HAProxy to the other one and goes on showing the room live
        browser = Browser.start();
        WebDriver driver = browser.driver();
        driver.get("http://127.0.0.1:" + lb + "/");
        WebElement form = browser.waiting(20).until(ExpectedConditions.visibilityOfElementLocated(By.id("login-form")));
        form.findElement(By.name("username")).sendKeys("admin");
        form.findElement(By.name("password")).sendKeys(json.getString("adminPassword"));
        form.findElement(By.cssSelector("button[type=submit]")).click();
        By count = By.cssSelector("tr[data-station='" + id + "'] .count");
        browser.waiting(20).until(ExpectedConditions.textToBe(count, "0 / 20"));
        browser.waiting(20).until(ExpectedConditions.textToBe(By.id("live"), "实时"));
        int[] held = new int[1];
        await("one replica holds the page's stream").atMost(Duration.ofSeconds(10)).until(() -> {
            for (int i = 0; i < 2; i++) {
                if (streams(hubs.getJsonObject(i).getInteger("http")) > 0) {
                    held[0] = i;
                    return true;
                }
            }
            return false;
        });
        JsonObject victim = hubs.getJsonObject(held[0]);
        int survivor = hubs.getJsonObject(1 - held[0]).getInteger("http");
        ProcessHandle.of(victim.getLong("pid")).orElseThrow().destroyForcibly();
        await("the page's stream is on the other replica").atMost(Duration.ofSeconds(30))
                .until(() -> streams(survivor) > 0);
        browser.waiting(20).until(ExpectedConditions.textToBe(By.id("live"), "实时"));
        agent.simulate("/sim/beam", new JsonObject().put("direction", "in"));
        agent.simulate("/sim/beam", new JsonObject().put("direction", "in"));
        browser.waiting(20).until(ExpectedConditions.textToBe(count, "2 / 20"));
        assertThat(presence(survivor, token, id)).isEqualTo("online");
        browser.close();
        browser = null;

        agent.close();
        agent = null;

        Run stop = cluster("stop");
        assertThat(stop.exit()).as(stop.output()).isZero();
        started = false;
        await("every process the cluster started has ended").atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(pids).noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)));
        List<Integer> ports = new ArrayList<>(List.of(lb, broker.getInteger("mqtt"), broker.getInteger("mqtts"),
                hubs.getJsonObject(0).getInteger("http"), hubs.getJsonObject(1).getInteger("http")));
        assertThat(ports).as("its ports are closed").noneMatch(LocalClusterIT::listening);
        Run stopAgain = cluster("stop");
        assertThat(stopAgain.exit()).as("stop is safe to repeat: " + stopAgain.output()).isZero();
        Run status = cluster("status");
        assertThat(status.exit()).isNotZero();
        assertThat(status.output()).contains("hub-1: not running").doesNotContain(": running");
    }
}
