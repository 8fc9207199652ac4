package org.yizhan.agent;

import org.yizhan.testing.TestAgent;
import org.yizhan.testing.TestBroker;
import org.yizhan.testing.QrTools;
import com.pi4j.io.gpio.digital.DigitalState;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.access.Ed25519;
import org.yizhan.access.RiderPass;
import org.yizhan.config.StationConfig;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.yizhan.testing.Futures.get;

/**
 * Starting a charging session by showing the rider pass at a charger ({@code POST /sim/camera?port=N}) or at the
 * kiosk after choosing a port ({@code POST /kiosk/charge}, then the door camera). Passes are signed with a test
 * hub key and rendered by {@code qrencode}, not by our encoder.
 */
@ExtendWith(VertxExtension.class)
class ChargeByPassIT {

    private static final String ID = "st-charge";
    private static final int KID = 3;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static KeyPair hubKey;
    private static KeyPair otherKey;

    @TempDir
    Path dir;
    private Vertx vertx;
    private TestBroker broker;
    private TestAgent agent;

    @BeforeAll
    static void keys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
        hubKey = g.generateKeyPair();
        otherKey = g.generateKeyPair();
    }

    @BeforeEach
    void setUp(Vertx vertx) throws Exception {
        QrTools.assumeQrencode();
        this.vertx = vertx;
        broker = new TestBroker();
        StationConfig c = TestAgent.config(ID, get(broker.start(vertx)), 2, 5)
                .withAccess(StationConfig.Access.DEFAULTS.withHubKeys(
                        List.of(new StationConfig.HubKey(KID, Ed25519.rawBase64(hubKey.getPublic())))));
        agent = TestAgent.start(vertx, c, dir);
        agent.awaitUplink();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (agent != null) {
            agent.stop();
        }
        if (broker != null) {
            get(broker.close());
        }
    }

    private static String pass(byte[] member, long slotOffset, KeyPair key) throws Exception {
        long slot = RiderPass.slotOf(System.currentTimeMillis()) + slotOffset;
        return RiderPass.sign(KID, member, slot, RANDOM.nextInt(), key.getPrivate()).text();
    }

    private HttpResponse<Buffer> camera(String query, byte[] png) throws Exception {
        return agent.postImage("/sim/camera" + query, png);
    }

    private JsonObject showAtCharger(int port, byte[] png) throws Exception {
        HttpResponse<Buffer> r = camera("?port=" + port, png);
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        return r.bodyAsJsonObject();
    }

    private HttpResponse<Buffer> kiosk(String body) throws Exception {
        return agent.post("/kiosk/charge", body);
    }

    private JsonObject status() throws Exception {
        return agent.status();
    }

    private JsonObject portStatus(int port) throws Exception {
        return status().getJsonArray("chargers").getJsonObject(port - 1);
    }

    private DigitalState relay(int port) {
        return agent.chargerRelay(port);
    }

    private DigitalState doorRelay() {
        return agent.doorRelay();
    }

    @Test
    void passAtAChargerStartsASessionThereAndTheSamePassStillOpensTheDoorOnce() throws Exception {
        byte[] member = RiderPass.newMemberId(RANDOM);
        byte[] png = QrTools.qrencode(pass(member, 0, hubKey));

        JsonObject d = showAtCharger(2, png);
        assertThat(d.getMap()).containsEntry("decision", "granted").containsEntry("reason", "ok")
                .containsEntry("port", 2);
        String sessionId = d.getString("sessionId");
        assertThat(sessionId).hasSize(26);
        assertThat(relay(2)).as("port 2 relay").isEqualTo(DigitalState.HIGH);
        assertThat(relay(1)).isEqualTo(DigitalState.LOW);
        assertThat(doorRelay()).as("charging never opens the door").isEqualTo(DigitalState.LOW);
        JsonObject session = portStatus(2).getJsonObject("session");
        assertThat(session.getMap()).containsEntry("sessionId", sessionId)
                .containsEntry("member", RiderPass.pseudonym(member));

        assertThat(showAtCharger(1, png).getMap()).as("the same pass slot again at another port")
                .containsEntry("decision", "denied").containsEntry("reason", "replayed").containsEntry("port", 1)
                .doesNotContainKey("sessionId");
        assertThat(relay(1)).isEqualTo(DigitalState.LOW);

        JsonObject door = camera("", png).bodyAsJsonObject();
        assertThat(door.getMap()).as("entering has its own replay guard").containsEntry("decision", "granted");
        await().atMost(Duration.ofSeconds(3)).until(() -> doorRelay() == DigitalState.HIGH);

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(broker.events())
                .extracting(e -> e.getString("type"))
                .contains("charger.session_started", "access.denied", "access.granted"));
        JsonObject started = broker.events().stream().filter(e -> e.getString("type").equals("charger.session_started"))
                .findFirst().orElseThrow().getJsonObject("data");
        assertThat(started.getMap()).containsEntry("port", 2).containsEntry("sessionId", sessionId)
                .containsEntry("member", RiderPass.pseudonym(member));
        JsonObject denied = broker.events().stream().filter(e -> e.getString("type").equals("access.denied"))
                .findFirst().orElseThrow().getJsonObject("data");
        assertThat(denied.getMap()).containsEntry("purpose", "charging").containsEntry("reason", "replayed")
                .containsEntry("port", 1).containsEntry("member", RiderPass.pseudonym(member));
        assertThat(status().getJsonObject("charging").getJsonObject("decisions").getMap())
                .containsEntry("ok", 1).containsEntry("replayed", 1);
    }

    @Test
    void refusesForgedExpiredAndUnreadablePassesAndBusyOrFaultedPorts() throws Exception {
        assertThat(showAtCharger(1, QrTools.qrencode(pass(RiderPass.newMemberId(RANDOM), 0, otherKey))).getString("reason"))
                .isEqualTo("bad-signature");
        assertThat(showAtCharger(1, QrTools.qrencode(pass(RiderPass.newMemberId(RANDOM), -10, hubKey))).getString("reason"))
                .isEqualTo("expired");
        assertThat(showAtCharger(1, QrTools.qrencode("HELLO WORLD")).getString("reason")).isEqualTo("unreadable");
        assertThat(relay(1)).isEqualTo(DigitalState.LOW);

        assertThat(showAtCharger(1, QrTools.qrencode(pass(RiderPass.newMemberId(RANDOM), 0, hubKey))).getString("decision"))
                .isEqualTo("granted");
        JsonObject busy = showAtCharger(1, QrTools.qrencode(pass(RiderPass.newMemberId(RANDOM), 0, hubKey)));
        assertThat(busy.getMap()).containsEntry("decision", "denied").containsEntry("reason", "busy");

        HttpResponse<Buffer> silent = agent.post("/sim/charger/2", new JsonObject().put("meterSilent", true).encode());
        assertThat(silent.statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> "faulted".equals(portStatus(2).getString("state")));
        byte[] rider = RiderPass.newMemberId(RANDOM);
        String text = pass(rider, 0, hubKey);
        assertThat(showAtCharger(2, QrTools.qrencode(text)).getMap()).containsEntry("decision", "denied")
                .containsEntry("reason", "faulted").containsEntry("port", 2);
        assertThat(relay(2)).isEqualTo(DigitalState.LOW);
        assertThat(showAtCharger(2, QrTools.qrencode(text)).getString("reason"))
                .as("a refused start does not use up the pass").isEqualTo("faulted");
        assertThat(doorRelay()).isEqualTo(DigitalState.LOW);
    }

    @Test
    void aPortChosenAtTheKioskTakesTheNextPassTheDoorCameraReads() throws Exception {
        HttpResponse<Buffer> armed = kiosk("{\"port\":1}");
        assertThat(armed.statusCode()).as(armed.bodyAsString()).isEqualTo(200);
        assertThat(armed.bodyAsJsonObject().getMap()).containsEntry("armed", true).containsEntry("port", 1);
        assertThat(armed.bodyAsJsonObject().getLong("until")).isGreaterThan(System.currentTimeMillis() + 15_000);
        assertThat(status().getJsonObject("charging").getJsonObject("armed").getInteger("port")).isEqualTo(1);

        byte[] member = RiderPass.newMemberId(RANDOM);
        byte[] png = QrTools.qrencode(pass(member, 0, hubKey));
        JsonObject d = camera("", png).bodyAsJsonObject();
        assertThat(d.getMap()).containsEntry("decision", "granted").containsEntry("port", 1).containsKey("sessionId");
        assertThat(relay(1)).isEqualTo(DigitalState.HIGH);
        assertThat(doorRelay()).isEqualTo(DigitalState.LOW);
        assertThat(status().getJsonObject("charging").getValue("armed")).as("used once").isNull();

        JsonObject next = camera("", png).bodyAsJsonObject();
        assertThat(next.getMap()).as("the next pass goes to the door again").containsEntry("decision", "granted")
                .doesNotContainKey("port");
        await().atMost(Duration.ofSeconds(3)).until(() -> doorRelay() == DigitalState.HIGH);
    }

    @Test
    void badKioskAndCameraRequestsAreRefusedWithClearErrors() throws Exception {
        assertThat(kiosk("{}").statusCode()).isEqualTo(400);
        assertThat(kiosk("{\"port\":\"1\"}").bodyAsJsonObject().getJsonObject("error").getString("message"))
                .isEqualTo("port: must be a charger port number from 1 to 64");
        assertThat(kiosk("not json").statusCode()).isEqualTo(400);
        assertThat(kiosk("[1]").statusCode()).isEqualTo(400);
        assertThat(kiosk("{\"port\":0}").statusCode()).isEqualTo(400);
        HttpResponse<Buffer> missing = kiosk("{\"port\":9}");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("not-found");
        assertThat(kiosk("{\"port\":1,\"pad\":\"" + "x".repeat(2000) + "\"}").statusCode()).isEqualTo(413);

        byte[] png = QrTools.qrencode(pass(RiderPass.newMemberId(RANDOM), 0, hubKey));
        assertThat(camera("?port=abc", png).statusCode()).isEqualTo(400);
        assertThat(camera("?port=9", png).statusCode()).isEqualTo(404);
        assertThat(status().getJsonObject("charging").getValue("last")).as("no decision from bad requests").isNull();
        assertThat(status().getJsonObject("charging").getValue("armed")).isNull();
        assertThat(showAtCharger(1, png).getString("decision")).as("still decides afterwards").isEqualTo("granted");
    }
}
