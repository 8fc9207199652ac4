package org.yizhan.hub.entry;

import org.yizhan.testing.Cleanup;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalState;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.access.EntryNonce;
import org.yizhan.config.StationConfig;
import org.yizhan.hub.HubApp;
import org.yizhan.testing.HubClient;
import org.yizhan.testing.TestAgent;
import org.yizhan.testing.TestHub;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import static org.yizhan.testing.Futures.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Scan-to-enter against a real hub and a simulated station connected to it over loopback MQTT. */
@ExtendWith(VertxExtension.class)
class ScanToEnterIT {

    private static final Logger LOG = LoggerFactory.getLogger(ScanToEnterIT.class);

    @TempDir
    static Path dataDir;
    @TempDir
    static Path agentDir;
    static TestHub hub;
    static HubApp app;
    static HubClient api;
    static String operator;
    static TestAgent agent;
    static StationConfig stationA;
    static StationConfig stationB;
    static DigitalOutput relay;
    static int phone = 100;

    @BeforeAll
    static void start(Vertx vertx) throws Exception {
        hub = TestHub.start(vertx, dataDir);
        app = hub.app();
        api = hub.client();
        operator = hub.user("oper", "operator");
        String technician = hub.user("tech", "technician");
        stationA = hub.provision(technician, TestHub.station("东门驿站"));
        stationB = hub.provision(technician, TestHub.station("西门驿站"));
        agent = hub.connectedAgent(stationA, agentDir);
        relay = TestAgent.output(agent.hardware().orElseThrow().doorRelay());
    }

    @AfterAll
    static void stop() throws Exception {
        Cleanup.close(hub);
    }

    private static EntryNonce nonces(StationConfig c) {
        return EntryNonce.ofBase64(c.stationId(), c.access().entryKey().orElseThrow()).orElseThrow();
    }

    private static JsonObject join() throws Exception {
        HttpResponse<Buffer> r = get(api.post("/api/v1/members", new JsonObject().put("name", "张师傅")
                .put("phone", "13700137" + (phone++)).put("occupation", "courier")));
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
        return r.bodyAsJsonObject();
    }

    private static HttpResponse<Buffer> enter(String token, String stationId, String nonce) throws Exception {
        return get(api.post("/api/v1/entry", token, new JsonObject().put("stationId", stationId).put("nonce", nonce)));
    }

    private static String code(HttpResponse<Buffer> r) {
        return r.bodyAsJsonObject().getJsonObject("error").getString("code");
    }

    @Test
    void provisionedConfigurationCarriesAnEntryKeyAndTheSecretStaysInTheRegistry() throws Exception {
        assertThat(stationA.access().entryKey()).isPresent();
        assertThat(stationA.access().entryKey()).as("each station has its own key")
                .isNotEqualTo(stationB.access().entryKey());
        assertThat(stationA.toString()).doesNotContain(stationA.access().entryKey().get());
        assertThat(hub.dataDir().resolve(EntryKeys.FILE)).as("the secret is a row in the registry, shared by every hub")
                .doesNotExist();
    }

    @Test
    void memberWithTheKioskNonceGetsTheDoorOpenedAndSeesIt() throws Exception {
        JsonObject member = join();
        String token = member.getString("memberToken");
        String pseudonym = member.getJsonObject("member").getString("pseudonym");
        AtomicLong relayAt = new AtomicLong();
        com.pi4j.io.gpio.digital.DigitalStateChangeListener listener = ev -> {
            if (ev.state() == DigitalState.HIGH) {
                relayAt.compareAndSet(0, System.nanoTime());
            }
        };
        relay.addListener(listener);
        try {
            String nonce = nonces(stationA).nonceAt(System.currentTimeMillis());
            long tap = System.nanoTime();
            HttpResponse<Buffer> r = enter(token, stationA.stationId(), nonce);
            assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(202);
            String commandId = r.bodyAsJsonObject().getString("commandId");

            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(() -> relayAt.get() != 0);
            double tapToRelayMs = (relayAt.get() - tap) / 1e6;
            LOG.info("Scan-to-enter on loopback: tap to relay {} ms", String.format("%.1f", tapToRelayMs));
            assertThat(tapToRelayMs).as("tap to relay on loopback (sanity bound only)").isLessThan(5_000);

            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() ->
                    "succeeded".equals(get(api.get("/api/v1/entry/" + commandId, token)).bodyAsJsonObject()
                            .getString("status")));
            JsonObject granted = await().atMost(Duration.ofSeconds(10)).until(() -> get(api.get(
                    "/api/v1/events?stationId=" + stationA.stationId() + "&type=access.granted", operator))
                    .bodyAsJsonObject().getJsonArray("events").stream().map(JsonObject.class::cast)
                    .filter(e -> pseudonym.equals(e.getJsonObject("data").getString("member"))).findFirst(),
                    Optional::isPresent).orElseThrow();
            assertThat(granted.getJsonObject("data").getString("method")).isEqualTo("remote");

            JsonObject other = join();
            HttpResponse<Buffer> foreign = get(api.get("/api/v1/entry/" + commandId, other.getString("memberToken")));
            assertThat(foreign.statusCode()).as("another member's entry").isEqualTo(404);
            assertThat(get(api.get("/api/v1/entry/" + commandId)).statusCode()).isEqualTo(401);
        } finally {
            relay.removeListener(listener);
        }
    }

    @Test
    void aNonceOpensOnlyTheDoorOfItsOwnStation() throws Exception {
        String token = join().getString("memberToken");
        long now = System.currentTimeMillis();
        HttpResponse<Buffer> crossed = enter(token, stationA.stationId(), nonces(stationB).nonceAt(now));
        assertThat(crossed.statusCode()).as(crossed.bodyAsString()).isEqualTo(400);
        assertThat(code(crossed)).isEqualTo("bad-nonce");
        HttpResponse<Buffer> other = enter(token, stationB.stationId(), nonces(stationA).nonceAt(now));
        assertThat(code(other)).isEqualTo("bad-nonce");
        HttpResponse<Buffer> offline = enter(token, stationB.stationId(), nonces(stationB).nonceAt(now));
        assertThat(offline.statusCode()).isEqualTo(503);
        assertThat(code(offline)).isEqualTo("station-offline");
        HttpResponse<Buffer> unknown = enter(token, "no-such-station", nonces(stationA).nonceAt(now));
        assertThat(code(unknown)).as("a nonce is bound to its station id").isEqualTo("bad-nonce");
    }

    @Test
    void refusesOldForgedAndMalformedNoncesAndSuspendedMembers() throws Exception {
        JsonObject member = join();
        String token = member.getString("memberToken");
        EntryNonce a = nonces(stationA);
        long slot = EntryNonce.slotOf(System.currentTimeMillis());

        HttpResponse<Buffer> old = enter(token, stationA.stationId(), a.nonce(slot - 3));
        assertThat(old.statusCode()).isEqualTo(410);
        assertThat(code(old)).isEqualTo("expired-nonce");
        for (String bad : new String[]{"AAAAAAAAAAAA", a.nonce(slot).toLowerCase(), "short", "A".repeat(64)}) {
            HttpResponse<Buffer> r = enter(token, stationA.stationId(), bad);
            assertThat(r.statusCode()).as(bad).isEqualTo(400);
            assertThat(code(r)).as(bad).isEqualTo("bad-nonce");
        }
        HttpResponse<Buffer> badStation = enter(token, "../etc", a.nonce(slot));
        assertThat(badStation.statusCode()).isEqualTo(400);
        HttpResponse<Buffer> noToken = get(api.post("/api/v1/entry", new JsonObject()
                .put("stationId", stationA.stationId()).put("nonce", a.nonce(slot))));
        assertThat(noToken.statusCode()).isEqualTo(401);
        HttpResponse<Buffer> staff = enter(operator, stationA.stationId(), a.nonce(slot));
        assertThat(staff.statusCode()).as("a staff token is no member token").isEqualTo(401);

        String id = member.getJsonObject("member").getString("id");
        get(api.post("/api/v1/members/" + id + "/suspend", operator, new JsonObject()));
        HttpResponse<Buffer> suspended = enter(token, stationA.stationId(), a.nonceAt(System.currentTimeMillis()));
        assertThat(suspended.statusCode()).as("suspension ends the member's tokens").isEqualTo(401);
        assertThat(code(suspended)).isEqualTo("invalid-token");
        assertThat(app.metrics().scrape()).contains("yizhan_entry_rejects_total{reason=\"bad-nonce\"}");
    }

    @Test
    void previousSlotStillWorksSoARiderScanningAtTheChangeIsNotRefused() throws Exception {
        String token = join().getString("memberToken");
        long slot = EntryNonce.slotOf(System.currentTimeMillis());
        HttpResponse<Buffer> r = enter(token, stationA.stationId(), nonces(stationA).nonce(slot - 1));
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(202);
    }

    @Test
    void limitsAttemptsPerMember() throws Exception {
        String token = join().getString("memberToken");
        int refusedAt = -1;
        for (int i = 0; i < 12 && refusedAt < 0; i++) {
            if (enter(token, stationA.stationId(), "AAAAAAAAAAAA").statusCode() == 429) {
                refusedAt = i;
            }
        }
        assertThat(refusedAt).as("attempt refused with 429").isEqualTo(10);
        assertThat(enter(join().getString("memberToken"), stationA.stationId(), "AAAAAAAAAAAA").statusCode())
                .as("another member is not limited").isEqualTo(400);
    }

    @Test
    void entryPageIsServedForTheKioskUrlWithAStrictPolicy() throws Exception {
        HttpResponse<Buffer> page = get(api.get("/e/" + stationA.stationId() + "/"
                + nonces(stationA).nonceAt(System.currentTimeMillis())));
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.getHeader("Content-Type")).startsWith("text/html");
        assertThat(page.getHeader("Content-Security-Policy")).contains("script-src 'self'");
        assertThat(page.bodyAsString()).contains("扫码进门").contains("/js/entry.js").doesNotContain("<script>");
        assertThat(get(api.get("/js/entry.js")).bodyAsString()).doesNotContain("innerHTML =");
    }
}
