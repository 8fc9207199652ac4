package org.yizhan.e2e;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.client.j2se.MatrixToImageWriter;
import com.google.zxing.qrcode.QRCodeWriter;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.access.RiderPass;
import org.yizhan.hub.HubApp;
import org.yizhan.hub.members.MemberStore;
import org.yizhan.protocol.Ulid;
import org.yizhan.testing.Cleanup;
import org.yizhan.testing.TestAgent;
import org.yizhan.testing.TestHub;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.yizhan.testing.Futures.get;

/**
 * Revocation with 20,000 suspended members, a real hub and two real agents: far more than one
 * {@code credentials.sync} command holds (8 KiB, about 390 members). A member suspended on the hub is refused at
 * the online station within seconds (the whole list in pages the first time, a delta after), the station that was
 * offline gets the whole list in pages when it is back and refuses too, and a resumed member is let in again.
 */
@ExtendWith(VertxExtension.class)
class RevocationAtScaleIT {

    private static final int SUSPENDED = 20_000;
    private static final Duration ONLINE_WITHIN = Duration.ofSeconds(10);
    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path dir;
    private TestHub hub;

    @AfterEach
    void stop() throws Exception {
        Cleanup.close(hub);
    }

    @Test
    void suspendedMembersAreRefusedAtEveryStationWithTwentyThousandOnTheList(Vertx vertx) throws Exception {
        hub = TestHub.start(vertx, dir);
        HubApp app = hub.app();
        String operator = hub.user("oper", "operator");
        TestAgent online = hub.stationWithAgent("文三路驿站", 30.27, 120.13).awaitUplink();
        TestAgent offline = hub.stationWithAgent("古墩路驿站", 30.28, 120.10).awaitUplink();
        for (TestAgent a : new TestAgent[]{online, offline}) {
            await(a.stationId() + " holds the hub's list").atMost(ONLINE_WITHIN)
                    .until(() -> heldVersion(a) == hubVersion(app));
        }
        offline.stop();

        long seeding = System.nanoTime();
        suspendInBulk(app, SUSPENDED);
        long seededMs = (System.nanoTime() - seeding) / 1_000_000;

        // the first suspension after the bulk: the online station is far behind and gets the whole list in pages
        JsonObject first = join("13900000001");
        long fullMs = suspendAndAwait(app, operator, first, online);
        assertThat(online.status().getJsonObject("access").getInteger("revoked")).isEqualTo(SUSPENDED + 1);
        assertThat(present(app, online, first)).as("suspended member at the online station").isEqualTo("revoked");

        // the next one: a delta
        JsonObject second = join("13900000002");
        long deltaMs = suspendAndAwait(app, operator, second, online);
        assertThat(online.status().getJsonObject("access").getInteger("revoked")).isEqualTo(SUSPENDED + 2);
        assertThat(present(app, online, second)).isEqualTo("revoked");

        // resuming the first lets them in again
        hub.call("POST", "/api/v1/members/" + first.getString("id") + "/resume", operator, new JsonObject());
        long target = hubVersion(app);
        await("the resumption reaches " + online.stationId()).atMost(ONLINE_WITHIN)
                .until(() -> heldVersion(online) >= target);
        assertThat(present(app, online, first)).as("resumed member").isEqualTo("granted");

        // the station that was offline catches up on reconnecting, in pages
        long back = System.nanoTime();
        offline.restart();
        hub.awaitConnected(offline.stationId());
        await("the whole list reaches " + offline.stationId()).atMost(Duration.ofSeconds(30))
                .until(() -> heldVersion(offline) >= target);
        long reconnectMs = (System.nanoTime() - back) / 1_000_000;
        assertThat(offline.status().getJsonObject("access").getInteger("revoked")).isEqualTo(SUSPENDED + 1);
        assertThat(present(app, offline, second)).as("suspended member at the station that was offline")
                .isEqualTo("revoked");
        assertThat(present(app, offline, first)).as("resumed member at the station that was offline")
                .isEqualTo("granted");

        System.out.printf("RevocationAtScaleIT: %,d members suspended in bulk in %d ms; refused at the online station "
                        + "%d ms after the suspension (whole list in pages), %d ms (delta); the station that was offline "
                        + "held the whole list %d ms after it restarted%n", SUSPENDED, seededMs, fullMs, deltaMs,
                reconnectMs);
    }

    /** Suspends the member through the API; how long until the station holds the list with the suspension. */
    private long suspendAndAwait(HubApp app, String operator, JsonObject member, TestAgent station) throws Exception {
        long start = System.nanoTime();
        hub.call("POST", "/api/v1/members/" + member.getString("id") + "/suspend", operator, new JsonObject());
        long target = hubVersion(app);
        await("the suspension reaches " + station.stationId()).atMost(ONLINE_WITHIN).pollInterval(Duration.ofMillis(20))
                .until(() -> heldVersion(station) >= target);
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** A new member joined through the API: {"id","pseudonym",..}. */
    private JsonObject join(String phone) throws Exception {
        return hub.call("POST", "/api/v1/members", null, new JsonObject().put("name", "王师傅").put("phone", phone)
                .put("occupation", "food-delivery")).getJsonObject("member");
    }

    /** Shows the station's camera a pass the hub signs now for the member; the reason of the decision. */
    private static String present(HubApp app, TestAgent station, JsonObject member) throws Exception {
        String text = app.passKeys().sign(RiderPass.memberId(member.getString("pseudonym")).orElseThrow(),
                System.currentTimeMillis()).text();
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        MatrixToImageWriter.writeToStream(new QRCodeWriter().encode(text, BarcodeFormat.QR_CODE, 300, 300), "PNG", png);
        JsonObject decision = station.postImage("/sim/camera", png.toByteArray()).bodyAsJsonObject();
        return decision.getString("decision").equals("granted") ? "granted" : decision.getString("reason");
    }

    private static long heldVersion(TestAgent station) throws Exception {
        return station.status().getJsonObject("access").getLong("revocationVersion");
    }

    private static long hubVersion(HubApp app) throws Exception {
        return get(new MemberStore(app.database(), Duration.ofDays(1)).revocations()).version();
    }

    /**
     * Adds {@code count} suspended members in one transaction, each change with its own version of the list, as a
     * bulk suspension would; no station is told.
     */
    private static void suspendInBulk(HubApp app, int count) throws Exception {
        long now = System.currentTimeMillis();
        try (Connection c = app.database().dataSource().getConnection()) {
            c.setAutoCommit(false);
            long version;
            try (Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE revocation_state SET version = version + " + count + " WHERE id = 1");
                try (ResultSet rs = s.executeQuery("SELECT version FROM revocation_state WHERE id = 1")) {
                    rs.next();
                    version = rs.getLong(1) - count;
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO members (id, pseudonym, name, phone, occupation, "
                    + "status, status_changed_at, created_at, created_by, revocation_version) "
                    + "VALUES (?, ?, ?, ?, 'courier', 'suspended', ?, ?, 'bulk', ?)")) {
                for (int i = 0; i < count; i++) {
                    ps.setString(1, Ulid.next(now));
                    ps.setString(2, RiderPass.pseudonym(RiderPass.newMemberId(RANDOM)));
                    ps.setString(3, "会员" + i);
                    ps.setString(4, String.format("170%08d", i));
                    ps.setLong(5, now);
                    ps.setLong(6, now);
                    ps.setLong(7, version + i + 1);
                    ps.addBatch();
                    if (i % 1000 == 999) {
                        ps.executeBatch();
                    }
                }
                ps.executeBatch();
            }
            c.commit();
        }
    }
}
