package org.yizhan.hub.mqtt;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.config.StationConfig;
import org.yizhan.protocol.Channel;
import org.yizhan.protocol.Event;
import org.yizhan.protocol.EventsMessage;
import org.yizhan.protocol.Topics;
import org.yizhan.testing.TestHub;

import javax.net.SocketFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Garbage and half-open connections to the hub's MQTT endpoint, over raw loopback sockets: a CONNECT declaring
 * 256 MB and an MQTT 5 CONNECT with bad properties are closed at once, a socket that sends nothing or half a CONNECT
 * (or trickles one) is closed after the connect timeout, one address gets only so many attempts, and a real station
 * connects, publishes and has its event stored while two thousand garbage sockets are open. Linux routes all of
 * 127.0.0.0/8 on loopback, so a client socket bound to 127.0.0.2 is another source address; only 127.0.0.1 is
 * exempt from the per-address cap here.
 */
class GarbageConnectionsIT {

    static final int CONNECT_TIMEOUT_SECONDS = 2;
    static final int BURST = 20;
    static final int PER_SECOND = 5;

    @TempDir
    static Path dir;
    static Vertx vertx;
    static TestHub hub;
    static int port;

    @BeforeAll
    static void startHub() throws Exception {
        vertx = Vertx.vertx();
        hub = TestHub.start(vertx, dir, Map.of(
                "YIZHAN_MQTT_CONNECT_TIMEOUT_SECONDS", Integer.toString(CONNECT_TIMEOUT_SECONDS),
                "YIZHAN_MQTT_CONNECTS_PER_SECOND_PER_ADDRESS", Integer.toString(PER_SECOND),
                "YIZHAN_MQTT_CONNECT_BURST_PER_ADDRESS", Integer.toString(BURST),
                "YIZHAN_MQTT_CONNECT_LIMIT_EXEMPT", "127.0.0.1"));
        port = hub.app().mqttPort();
    }

    @AfterAll
    static void stopHub() throws Exception {
        if (hub != null) {
            hub.close();
        }
        if (vertx != null) {
            vertx.close().await();
        }
    }

    // ---- raw MQTT bytes ------------------------------------------------------------------------------------

    /** The fixed header of a CONNECT declaring the largest remaining length MQTT can express (256 MB - 1). */
    static final byte[] CONNECT_256_MB = {0x10, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f};

    /** A fixed header with {@code body} behind it. */
    static byte[] packet(int firstByte, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(firstByte);
        int n = body.length;
        do {
            int b = n % 128;
            n /= 128;
            out.write(n > 0 ? b | 0x80 : b);
        } while (n > 0);
        out.writeBytes(body);
        return out.toByteArray();
    }

    /** An MQTT 5 CONNECT whose properties are {@code properties} (their length byte included), client id "x". */
    static byte[] connect5(byte[] properties) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[]{0, 4, 'M', 'Q', 'T', 'T', 5, 0x02, 0, 60});
        body.writeBytes(properties);
        body.writeBytes(new byte[]{0, 1, 'x'});
        return packet(0x10, body.toByteArray());
    }

    /** A whole MQTT 3.1.1 CONNECT for {@code clientId} with a user name and password. */
    static byte[] connect311(String clientId, String user, String password) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[]{0, 4, 'M', 'Q', 'T', 'T', 4, (byte) 0xc2, 0, 60});
        for (String s : List.of(clientId, user, password)) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            body.write(b.length >> 8);
            body.write(b.length & 0xff);
            body.writeBytes(b);
        }
        return packet(0x10, body.toByteArray());
    }

    /** The first half of a CONNECT: its fixed header says 40 bytes follow, 10 do. */
    static final byte[] HALF_CONNECT = {0x10, 40, 0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 60};

    static Socket open(String from) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(from, 0));
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        return s;
    }

    /**
     * Milliseconds from {@code since} until the socket was seen closed by the hub (end of stream, or reset when it
     * closed with our bytes unread), reading until {@code limitMillis} after {@code since} (at least once); -1 if it
     * is still open then.
     */
    static long closedAfter(Socket s, long since, long limitMillis) throws IOException {
        InputStream in = s.getInputStream();
        byte[] buf = new byte[256];
        while (true) {
            long left = since + limitMillis - System.currentTimeMillis();
            s.setSoTimeout((int) Math.max(1, left));
            try {
                if (in.read(buf) < 0) {
                    return System.currentTimeMillis() - since;
                }
            } catch (SocketTimeoutException e) {
                if (left <= 1) {
                    return -1;
                }
            } catch (SocketException e) {
                return System.currentTimeMillis() - since;
            }
        }
    }

    static long rejects(String reason) throws Exception {
        String body = hub.send("GET", "/metrics", null, null).body();
        Matcher m = Pattern.compile("yizhan_mqtt_rejects_total\\{[^}]*reason=\"" + Pattern.quote(reason)
                + "\"[^}]*} ([0-9.E]+)").matcher(body);
        return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
    }

    // ---- tests ---------------------------------------------------------------------------------------------

    @Test
    void refusesAConnectDeclaring256MegabytesAtOnce() throws Exception {
        long before = rejects("too-large");
        try (Socket s = open("127.0.0.1")) {
            long sent = System.currentTimeMillis();
            // the fixed header and the start of a CONNECT's variable header: the decoder would wait for the rest
            s.getOutputStream().write(CONNECT_256_MB);
            s.getOutputStream().write(new byte[]{0, 4, 'M', 'Q'});
            s.getOutputStream().flush();
            long ms = closedAfter(s, sent, 10_000);
            System.out.println("CONNECT declaring 256 MB closed after " + ms + " ms");
            assertThat(ms).as("closed (ms after the header), not left waiting for 256 MB").isBetween(0L, 1_000L);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> rejects("too-large") == before + 1);
    }

    @Test
    void refusesAnMqtt5ConnectWithBadPropertiesAtOnce() throws Exception {
        long before = rejects("mqtt-protocol");
        // properties said to be 100 bytes long in a packet that ends after 4 of them; an unknown property id
        byte[][] bad = {connect5(new byte[]{100, 0x11, 0, 0, 0}), connect5(new byte[]{2, 0x7f, 0})};
        for (byte[] connect : bad) {
            try (Socket s = open("127.0.0.1")) {
                long sent = System.currentTimeMillis();
                s.getOutputStream().write(connect);
                s.getOutputStream().flush();
                long ms = closedAfter(s, sent, 10_000);
                System.out.println("MQTT 5 CONNECT with bad properties (" + connect[12] + " property bytes) closed after "
                        + ms + " ms");
                assertThat(ms).as("closed (ms after the CONNECT)").isBetween(0L, 1_000L);
            }
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> rejects("mqtt-protocol") >= before + bad.length);
    }

    @Test
    void stillAnswersAConnectOfAnUnknownProtocolLevelBeforeClosing() throws Exception {
        try (Socket s = open("127.0.0.1")) {
            s.setSoTimeout(5_000);
            // MQTT protocol level 6 does not exist: vertx-mqtt answers "unacceptable protocol version" (CONNACK 1)
            s.getOutputStream().write(packet(0x10, new byte[]{0, 4, 'M', 'Q', 'T', 'T', 6, 0x02, 0, 60, 0, 1, 'x'}));
            byte[] connack = s.getInputStream().readNBytes(4);
            assertThat(connack).as("CONNACK refusing the protocol version").containsExactly(0x20, 2, 0, 1);
            assertThat(closedAfter(s, System.currentTimeMillis(), 2_000)).as("then closed").isNotNegative();
        }
    }

    @Test
    void closesASilentHalfOrTricklingConnectAfterTheConnectTimeout() throws Exception {
        long timeout = CONNECT_TIMEOUT_SECONDS * 1000L;
        long before = rejects("connect-timeout");
        try (Socket silent = open("127.0.0.1"); Socket half = open("127.0.0.1");
             Socket trickle = open("127.0.0.1")) {
            long opened = System.currentTimeMillis();
            half.getOutputStream().write(HALF_CONNECT);
            half.getOutputStream().flush();
            // one byte of a CONNECT every 300 ms: every byte would restart an idle timer
            byte[] slow = connect311("trickle", "trickle", "x".repeat(50));
            long trickledFor = -1;
            InputStream in = trickle.getInputStream();
            trickle.setSoTimeout(300);
            for (int i = 0; i < slow.length && trickledFor < 0; i++) {
                try {
                    trickle.getOutputStream().write(slow[i]);
                    trickle.getOutputStream().flush();
                    if (in.read() < 0) {
                        trickledFor = System.currentTimeMillis() - opened;
                    }
                } catch (SocketTimeoutException e) {
                    // still open: the next byte
                } catch (SocketException e) {
                    trickledFor = System.currentTimeMillis() - opened;
                }
            }
            long silentFor = closedAfter(silent, opened, 10_000);
            long halfFor = closedAfter(half, opened, 10_000);
            System.out.println("Closed after the " + timeout + " ms connect timeout: silent " + silentFor
                    + " ms, half a CONNECT " + halfFor + " ms, trickling " + trickledFor + " ms");
            assertThat(silentFor).as("a socket that sends nothing").isBetween(timeout - 200, timeout + 1_500);
            assertThat(halfFor).as("a socket that sends half a CONNECT").isBetween(timeout - 200, timeout + 1_500);
            assertThat(trickledFor).as("a socket that trickles a CONNECT").isBetween(timeout - 200, timeout + 1_500);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> rejects("connect-timeout") >= before + 3);
    }

    @Test
    void capsConnectionAttemptsFromOneAddressButNotFromAnExemptOne() throws Exception {
        int attempts = 200;
        long before = rejects("connect-rate");
        byte[] unknown = connect311("no-such-station", "no-such-station", "wrong");
        int admitted = 0;
        int refused = 0;
        long start = System.currentTimeMillis();
        for (int i = 0; i < attempts; i++) {
            // an admitted CONNECT is answered (CONNACK: not authorised); a refused socket closes without a word
            try (Socket s = open("127.0.0.2")) {
                s.setSoTimeout(5_000);
                int first;
                try {
                    s.getOutputStream().write(unknown);
                    first = s.getInputStream().read();
                } catch (SocketException e) {
                    first = -1;
                }
                if (first == 0x20) {
                    admitted++;
                } else {
                    refused++;
                }
            }
        }
        double seconds = (System.currentTimeMillis() - start) / 1000.0;
        System.out.printf("From 127.0.0.2: %d of %d attempts in %.1f s admitted, %d refused%n", admitted, attempts,
                seconds, refused);
        assertThat(admitted).as("the burst, and the refill over %.1f s", seconds)
                .isBetween(BURST, BURST + (int) Math.ceil(seconds * PER_SECOND) + 1);
        long counted = refused;
        await().atMost(Duration.ofSeconds(5)).until(() -> rejects("connect-rate") == before + counted);

        int exemptAdmitted = 0;
        for (int i = 0; i < attempts; i++) {
            try (Socket s = open("127.0.0.1")) {
                s.setSoTimeout(5_000);
                s.getOutputStream().write(unknown);
                if (s.getInputStream().read() == 0x20) {
                    exemptAdmitted++;
                }
            }
        }
        assertThat(exemptAdmitted).as("every attempt from the exempt 127.0.0.1").isEqualTo(attempts);
    }

    /** Opens a garbage connection of one of four kinds from {@code from}. */
    static Socket garbage(String from, int kind) throws IOException {
        Socket s = open(from);
        switch (kind % 4) {
            case 0 -> { }
            case 1 -> s.getOutputStream().write(HALF_CONNECT);
            case 2 -> s.getOutputStream().write(CONNECT_256_MB);
            default -> s.getOutputStream().write(connect5(new byte[]{100, 0x11, 0, 0, 0}));
        }
        return s;
    }

    @Test
    void aRealStationConnectsAndPublishesWhileTwoThousandGarbageSocketsAreOpen() throws Exception {
        StationConfig station = hub.provision(hub.adminToken(), TestHub.station("垃圾连接中的驿站"));
        String id = station.stationId();
        int garbageCount = 2_000;
        int addresses = garbageCount / BURST;
        List<Socket> garbage = new ArrayList<>();
        List<Long> openedAt = new ArrayList<>();
        CompletableFuture<Void> flood = CompletableFuture.runAsync(() -> {
            try {
                for (int i = 0; i < garbageCount; i++) {
                    // 100 addresses, each within its burst: the cap admits them all, only the guard can help
                    Socket s = garbage("127.0.1." + (1 + i % addresses), i / addresses);
                    synchronized (garbage) {
                        garbage.add(s);
                        openedAt.add(System.currentTimeMillis());
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                synchronized (garbage) {
                    return garbage.size() >= garbageCount / 2;
                }
            });
            long start = System.currentTimeMillis();
            MqttConnectOptions o = new MqttConnectOptions();
            o.setUserName(id);
            o.setPassword(station.mqtt().password().toCharArray());
            o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
            o.setConnectionTimeout(10);
            // the station is not exempt either: 127.0.0.3
            o.setSocketFactory(new BoundSocketFactory("127.0.0.3"));
            MqttClient c = new MqttClient("tcp://127.0.0.1:" + port, id, new MemoryPersistence());
            c.setTimeToWait(10_000);
            c.connect(o);
            long connected = System.currentTimeMillis() - start;
            c.publish(Topics.of(id, Channel.EVENTS), EventsMessage.batch(List.of(Event.of("door.opened",
                    System.currentTimeMillis(), new JsonObject()))).toJson().encode()
                    .getBytes(StandardCharsets.UTF_8), 1, false);
            long published = System.currentTimeMillis() - start;
            int openNow;
            synchronized (garbage) {
                openNow = garbage.size();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> !hub.call("GET", "/api/v1/events?stationId=" + id,
                    hub.adminToken(), null).getJsonArray("events").isEmpty());
            long stored = System.currentTimeMillis() - start;
            c.disconnect();
            c.close();
            System.out.println("With " + openNow + " garbage sockets opened: station connected in " + connected
                    + " ms, event acknowledged in " + published + " ms, stored in " + stored + " ms");
        } finally {
            flood.join();
        }
        // and the hub holds none of them past the connect timeout
        long worst = 0;
        long slack = 3_000;
        for (int i = 0; i < garbage.size(); i++) {
            try (Socket s = garbage.get(i)) {
                long ms = closedAfter(s, openedAt.get(i), CONNECT_TIMEOUT_SECONDS * 1000L + slack);
                assertThat(ms).as("garbage socket %d (kind %d) closed by the hub", i, (i / addresses) % 4)
                        .isNotNegative();
                worst = Math.max(worst, ms);
            }
        }
        System.out.println("Every garbage socket closed by the hub; the last seen closed " + worst
                + " ms after it opened (an upper bound: they are read one after the other)");
    }

    /** Paho's sockets, bound to a source address. */
    static final class BoundSocketFactory extends SocketFactory {
        private final String from;

        BoundSocketFactory(String from) {
            this.from = from;
        }

        @Override
        public Socket createSocket() throws IOException {
            Socket s = new Socket();
            s.bind(new InetSocketAddress(from, 0));
            return s;
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            Socket s = createSocket();
            s.connect(new InetSocketAddress(host, port));
            return s;
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return createSocket(host, port);
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            Socket s = createSocket();
            s.connect(new InetSocketAddress(host, port));
            return s;
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return createSocket(address, port);
        }
    }
}
