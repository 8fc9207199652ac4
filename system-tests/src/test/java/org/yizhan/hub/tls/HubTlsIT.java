package org.yizhan.hub.tls;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.junit5.VertxExtension;
import io.vertx.mqtt.MqttServer;
import io.vertx.mqtt.MqttServerOptions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.agent.cli.Provisioner;
import org.yizhan.config.StationConfig;
import org.yizhan.protocol.Codec;
import org.yizhan.protocol.Event;
import org.yizhan.protocol.EventType;
import org.yizhan.protocol.EventsMessage;
import org.yizhan.testing.PostgresRegistry;
import org.yizhan.testing.TestAgent;
import org.yizhan.testing.TestCerts;
import org.yizhan.testing.TestHub;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.yizhan.testing.Futures.get;

/**
 * TLS on every link, with a real chain built at test time (union CA → hub certificate for localhost and
 * 127.0.0.1): agents provisioned by a TLS hub connect and work; an unknown CA, an expired certificate and a
 * certificate for another host are refused with the reason in the agent's status; mosquitto_pub speaks the
 * contract over TLS with the CA and is refused without it or in plaintext; HTTPS; reloading the certificate
 * keeps connected stations connected; the same with the registry in PostgreSQL.
 */
@ExtendWith(VertxExtension.class)
class HubTlsIT {

    private static final Path MOSQUITTO_PUB = Path.of("/usr/bin/mosquitto_pub");

    private static TestCerts.Authority unionCa;
    private static TestCerts.Authority otherCa;

    @TempDir
    Path dir;

    @BeforeAll
    static void chains() {
        unionCa = TestCerts.authority("Union CA");
        otherCa = TestCerts.authority("Someone else's CA");
    }

    /** Hub settings for MQTT over TLS with this certificate, handing stations the union CA. */
    private Map<String, String> tlsEnv(TestCerts.Server server, boolean https) throws IOException {
        Path certs = server.writeTo(Files.createDirectories(dir.resolve("certs")));
        Map<String, String> env = new HashMap<>();
        env.put("YIZHAN_MQTT_TLS", "true");
        env.put("YIZHAN_MQTT_PORT", "0");
        env.put("YIZHAN_TLS_CERT", certs.resolve("fullchain.pem").toString());
        env.put("YIZHAN_TLS_KEY", certs.resolve("privkey.pem").toString());
        env.put("YIZHAN_TLS_CA", unionCa.writeTo(certs.resolve("union-ca.pem")).toString());
        if (https) {
            env.put("YIZHAN_HTTP_TLS", "true");
        }
        return env;
    }

    private static String door(TestHub hub, String stationId, String type) throws Exception {
        return hub.call("GET", "/api/v1/events?stationId=" + stationId + "&type=" + type, hub.adminToken(), null)
                .getJsonArray("events").encode();
    }

    /** An event goes up and a command comes down over the TLS link. */
    private static void worksOverTls(TestHub hub, TestAgent agent) throws Exception {
        String id = agent.stationId();
        assertThat(agent.config().mqtt().tls()).as("provisioned for TLS").isTrue();
        assertThat(agent.config().mqtt().caPem()).as("the hub handed the union CA").contains(unionCa.pem());
        agent.simulate("/sim/door", new JsonObject().put("open", true));
        agent.simulate("/sim/door", new JsonObject().put("open", false));
        await("door.closed reaches the hub").atMost(Duration.ofSeconds(15))
                .until(() -> door(hub, id, EventType.DOOR_CLOSED).contains(id));
        hub.call("POST", "/api/v1/stations/" + id + "/commands", hub.adminToken(),
                new JsonObject().put("name", "door.unlock").put("args", new JsonObject().put("seconds", 5)));
        await("door.unlock reaches the agent").atMost(Duration.ofSeconds(15))
                .until(() -> agent.doorRelay() == com.pi4j.io.gpio.digital.DigitalState.HIGH);
    }

    @Test
    void agentProvisionedByTlsHubConnectsAndWorks(Vertx vertx) throws Exception {
        try (TestHub hub = TestHub.start(vertx, dir, tlsEnv(unionCa.server(), false))) {
            TestAgent agent = hub.stationWithAgent("TLS 驿站", 30.27, 120.15);
            hub.awaitConnected(agent.stationId());
            worksOverTls(hub, agent);
            assertThat(agent.status().getJsonObject("uplink").getValue("lastError")).isNull();
        }
    }

    @Test
    void hubWithRegistryInPostgresProvisionsAnAgentOverTls(Vertx vertx) throws Exception {
        Map<String, String> env = tlsEnv(unionCa.server(), false);
        env.putAll(PostgresRegistry.newDatabase());
        try (TestHub hub = TestHub.start(vertx, dir, env)) {
            assertThat(hub.app().config().dbUrl()).startsWith("jdbc:postgresql:");
            TestAgent agent = hub.stationWithAgent("PG TLS 驿站", 30.27, 120.15);
            hub.awaitConnected(agent.stationId());
            worksOverTls(hub, agent);
        }
    }

    private static String lastError(TestAgent agent) throws Exception {
        return String.valueOf(agent.status().getJsonObject("uplink").getValue("lastError"));
    }

    @Test
    void agentRefusesAHubCertificateFromAnotherCa(Vertx vertx) throws Exception {
        try (TestHub hub = TestHub.start(vertx, dir, tlsEnv(unionCa.server(), false))) {
            StationConfig given = hub.provision(hub.adminToken(), TestHub.station("Wrong CA"));
            StationConfig wrong = given.withMqtt(given.mqtt().withCaPem(otherCa.pem()));
            try (TestAgent agent = TestAgent.start(vertx, wrong, dir.resolve("wrong-ca"))) {
                await("the agent says why").atMost(Duration.ofSeconds(15))
                        .until(() -> lastError(agent).contains("unknown CA"));
                assertThat(agent.uplinkConnected()).isFalse();
                assertThat(hub.app().mqtt().isConnected(given.stationId())).isFalse();
            }
        }
    }

    @Test
    void agentRefusesACertificateForAnotherHost(Vertx vertx) throws Exception {
        try (TestHub hub = TestHub.start(vertx, dir, tlsEnv(unionCa.serverFor("hub.example.org"), false))) {
            StationConfig given = hub.provision(hub.adminToken(), TestHub.station("Wrong host"));
            assertThat(given.mqtt().host()).isEqualTo("127.0.0.1");
            try (TestAgent agent = TestAgent.start(vertx, given, dir.resolve("wrong-host"))) {
                await("the agent says why").atMost(Duration.ofSeconds(15))
                        .until(() -> lastError(agent).contains("not for the host name '127.0.0.1'"));
                assertThat(agent.uplinkConnected()).isFalse();
            }
        }
    }

    @Test
    void agentRefusesAnExpiredCertificate(Vertx vertx) throws Exception {
        // the hub refuses to serve an expired certificate, so a bare MQTT server serves it here
        TestCerts.Server expired = unionCa.expiredServer();
        MqttServer rogue = MqttServer.create(vertx, new MqttServerOptions().setHost("127.0.0.1").setPort(0)
                .setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
                        .setCertValue(Buffer.buffer(expired.chainPem())).setKeyValue(Buffer.buffer(expired.keyPem()))));
        rogue.endpointHandler(e -> e.accept(false));
        get(rogue.listen());
        try {
            StationConfig c = TestAgent.config("st-expired", rogue.actualPort(), 1, 4);
            StationConfig tls = c.withMqtt(new StationConfig.Mqtt("127.0.0.1", rogue.actualPort(), true,
                    c.stationId(), "s3cret", 30).withCaPem(unionCa.pem()));
            try (TestAgent agent = TestAgent.start(vertx, tls, dir.resolve("expired"))) {
                await("the agent says why").atMost(Duration.ofSeconds(15))
                        .until(() -> lastError(agent).contains("expired"));
                assertThat(agent.uplinkConnected()).isFalse();
            }
        } finally {
            get(rogue.close());
        }
    }

    // ---- a foreign client ------------------------------------------------------------------------------------

    private static void assumeMosquittoPub() {
        Assumptions.assumeTrue(Files.isExecutable(MOSQUITTO_PUB),
                "mosquitto_pub is not installed (apt-get install mosquitto-clients; .ci/run does)");
    }

    /** Runs mosquitto_pub publishing one event at QoS 1; its exit code and output. */
    private record Run(int exit, String output) {
    }

    private Run mosquittoPub(int port, StationConfig station, List<String> more, Event e) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(MOSQUITTO_PUB.toString(), "-h", "localhost", "-p",
                String.valueOf(port), "-i", station.stationId(), "-u", station.stationId(),
                "-P", station.mqtt().password(), "-q", "1", "-V", "mqttv311",
                "-t", "yizhan/v1/stations/" + station.stationId() + "/events",
                "-m", Codec.encode(new EventsMessage(List.of(e), false)).toString(StandardCharsets.UTF_8)));
        cmd.addAll(more);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        boolean done = p.waitFor(30, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        return new Run(done ? p.exitValue() : -1, new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void mosquittoPubSpeaksTheContractOverTlsOnlyWithTheCa(Vertx vertx) throws Exception {
        assumeMosquittoPub();
        try (TestHub hub = TestHub.start(vertx, dir, tlsEnv(unionCa.server(), false))) {
            StationConfig station = hub.provision(hub.adminToken(), TestHub.station("Foreign client"));
            int port = hub.app().mqttPort();
            Path caFile = unionCa.writeTo(dir.resolve("ca.pem"));
            Path otherFile = otherCa.writeTo(dir.resolve("other.pem"));

            Event noCa = Event.of(EventType.DOOR_CLOSED, System.currentTimeMillis(), new JsonObject());
            Run wrongCa = mosquittoPub(port, station, List.of("--cafile", otherFile.toString()), noCa);
            assertThat(wrongCa.exit()).as("with another CA: %s", wrongCa.output()).isNotZero();
            Run plain = mosquittoPub(port, station, List.of(), noCa);
            assertThat(plain.exit()).as("plaintext to the TLS port: %s", plain.output()).isNotZero();
            assertThat(door(hub, station.stationId(), EventType.DOOR_CLOSED)).doesNotContain(noCa.id());

            Event ok = Event.of(EventType.DOOR_CLOSED, System.currentTimeMillis(), new JsonObject());
            Run withCa = mosquittoPub(port, station, List.of("--cafile", caFile.toString()), ok);
            assertThat(withCa.exit()).as("with the union CA: %s", withCa.output()).isZero();
            await("the event is in the registry").atMost(Duration.ofSeconds(10))
                    .until(() -> door(hub, station.stationId(), EventType.DOOR_CLOSED).contains(ok.id()));
            assertThat(door(hub, station.stationId(), EventType.DOOR_CLOSED)).doesNotContain(noCa.id());
        }
    }

    // ---- HTTPS -----------------------------------------------------------------------------------------------

    @Test
    void httpsHubProvisionsAnAgentThatTrustsTheGivenCa(Vertx vertx) throws Exception {
        try (TestHub hub = TestHub.start(vertx, dir, tlsEnv(unionCa.server(), true))) {
            JsonObject created = createOverHttps(hub);
            String httpsUrl = "https://localhost:" + hub.httpPort();
            Path caFile = unionCa.writeTo(dir.resolve("ca.pem"));

            // without the CA the technician's first call is refused, and says why
            assertThatThrownBy(() -> new Provisioner().provision(httpsUrl, created.getString("claimCode"),
                    dir.resolve("no-ca"), Optional.empty()))
                    .hasMessageContaining("failed TLS verification").hasMessageContaining("--ca");
            // plaintext HTTP to the HTTPS port gets nothing
            HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            assertThatThrownBy(() -> plain.send(HttpRequest.newBuilder(URI.create("http://localhost:"
                    + hub.httpPort() + "/health")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);

            Path stateDir = dir.resolve("https-agent");
            StationConfig c = new Provisioner().provision(httpsUrl, created.getString("claimCode"), stateDir,
                    Optional.of(caFile));
            assertThat(c.hub().url()).as("the hub tells the station its https address").startsWith("https://");
            assertThat(c.mqtt().caPem()).contains(unionCa.pem());
            try (TestAgent agent = TestAgent.start(vertx, c, stateDir)) {
                hub.awaitConnected(c.stationId());
                assertThat(agent.status().getJsonObject("uplink").getValue("lastError")).isNull();
            }
        }
    }

    private JsonObject createOverHttps(TestHub hub) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("ca", unionCa.certificate());
        tmf.init(ks);
        ctx.init(null, tmf.getTrustManagers(), null);
        HttpClient https = HttpClient.newBuilder().sslContext(ctx).build();
        String base = "https://localhost:" + hub.httpPort();
        HttpResponse<String> login = https.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/auth/login"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        new JsonObject().put("username", "admin").put("password", TestHub.ADMIN_PASSWORD).encode()))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
        String token = new JsonObject(login.body()).getString("token");
        HttpResponse<String> created = https.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/stations"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(TestHub.station("HTTPS 驿站").encode())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return new JsonObject(created.body());
    }

    // ---- reload ----------------------------------------------------------------------------------------------

    /** The certificate a new TLS connection to the port is served (whatever signed it). */
    private static X509Certificate served(int port) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[]{new X509TrustManager() {
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(5_000);
            s.startHandshake();
            return (X509Certificate) s.getSession().getPeerCertificates()[0];
        }
    }

    @Test
    void newCertificateServesNewConnectionsWhileConnectedStationsStay(Vertx vertx) throws Exception {
        TestCerts.Server first = unionCa.server();
        try (TestHub hub = TestHub.start(vertx, dir, tlsEnv(first, false))) {
            TestAgent agent = hub.stationWithAgent("Reload 驿站", 30.27, 120.15);
            hub.awaitConnected(agent.stationId());
            long session = agent.agent() == null ? -1 : agent.status().getJsonObject("uplink").getLong("session");
            int port = hub.app().mqttPort();
            assertThat(served(port)).isEqualTo(first.certificate());

            // replaced files are noticed without a signal
            TestCerts.Server second = unionCa.server();
            second.writeTo(dir.resolve("certs"));
            await("the new certificate is served").atMost(Duration.ofSeconds(20))
                    .until(() -> served(port).equals(second.certificate()));

            // a broken file is refused and the current certificate keeps serving
            TestCerts.write(dir.resolve("certs/privkey.pem"), unionCa.server().keyPem());
            assertThat(get(hub.app().reloadTls())).as("a key that does not match is not taken").isFalse();
            assertThat(served(port)).isEqualTo(second.certificate());

            // what SIGHUP does: once it completes the new certificate is served (the file watch may have been first)
            TestCerts.Server third = unionCa.server();
            third.writeTo(dir.resolve("certs"));
            get(hub.app().reloadTls());
            assertThat(served(port)).isEqualTo(third.certificate());

            assertThat(agent.uplinkConnected()).as("the station stayed connected").isTrue();
            assertThat(agent.status().getJsonObject("uplink").getLong("session")).as("in the same session")
                    .isEqualTo(session);
            assertThat(hub.app().mqtt().isConnected(agent.stationId())).isTrue();
            worksOverTls(hub, agent);
        }
    }

    @Test
    void plaintextListenerOnlyWhenAsked(Vertx vertx) throws Exception {
        Map<String, String> env = tlsEnv(unionCa.server(), false);
        try (TestHub hub = TestHub.start(vertx, dir, env)) {
            assertThat(hub.app().mqtt().actualPlainPort()).as("a TLS hub refuses plaintext stations").isEmpty();
            JsonObject ports = new JsonObject(Files.readString(hub.dataDir().resolve("ports.json")));
            assertThat(ports.containsKey("mqttPlain")).isFalse();
        }
        env.put("YIZHAN_MQTT_PLAIN_PORT", "0");
        env.put("YIZHAN_DATA_DIR", dir.resolve("hub2").toString());
        try (TestHub hub = TestHub.start(vertx, dir, env)) {
            int plainPort = hub.app().mqtt().actualPlainPort().orElseThrow();
            StationConfig c = hub.provision(hub.adminToken(), TestHub.station("Old station"));
            StationConfig old = c.withMqtt(new StationConfig.Mqtt("127.0.0.1", plainPort, false, c.stationId(),
                    c.mqtt().password(), 30));
            hub.connectedAgent(old, dir.resolve("old-agent"));
            assertThat(new JsonArray().add(plainPort).getInteger(0)).isNotEqualTo(hub.app().mqttPort());
        }
    }
}
