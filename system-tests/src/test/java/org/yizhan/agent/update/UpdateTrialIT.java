package org.yizhan.agent.update;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.agent.StationAgent;
import org.yizhan.config.StationConfig;
import org.yizhan.protocol.EventType;
import org.yizhan.testing.Futures;
import org.yizhan.testing.TestBroker;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A new agent version on trial: one that cannot reach its hub puts the previous version back at the deadline,
 * leaves the reason for it to report and asks to be restarted (the launcher then starts the previous one), all on
 * its own, with no hub to tell it; one that comes online keeps itself unless its self-test fails a check that did
 * not fail before the update ({@code updates/failing-before}). The real agent in this process, on simulated
 * hardware.
 */
@ExtendWith(VertxExtension.class)
class UpdateTrialIT {

    @TempDir
    Path tmp;

    @Test
    void aVersionThatDoesNotComeOnlineBeforeItsDeadlineGoesBackByItself(Vertx vertx) throws Exception {
        int closed = freePort();
        long deadline = System.currentTimeMillis() / 1000 + 3;
        Path updates = onTrial(deadline);

        CountDownLatch restart = new CountDownLatch(1);
        StationAgent agent = new StationAgent(vertx, config(closed), tmp, true).onRestart(restart::countDown);
        agent.start().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        try {
            assertThat(restart.await(30, TimeUnit.SECONDS)).as("the agent asks to be restarted").isTrue();
            assertThat(System.currentTimeMillis() / 1000).as("not before the deadline").isGreaterThanOrEqualTo(deadline);
            assertThat(Files.readString(updates.resolve("current")).strip()).isEqualTo("0.1.0-old");
            assertThat(updates.resolve("pending")).doesNotExist();
            JsonObject result = new JsonObject(Files.readString(updates.resolve("result.json")));
            assertThat(result.getString("version")).isEqualTo(StationAgent.VERSION);
            assertThat(result.getString("restored")).isEqualTo("0.1.0-old");
            assertThat(result.getString("rollout")).isEqualTo("01TRIAL");
            assertThat(result.getString("reason")).isEqualTo("it did not come online before the deadline");
        } finally {
            agent.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aCheckThatFailedBeforeTheUpdateDoesNotCountAgainstIt(Vertx vertx) throws Exception {
        Path updates = onTrial(System.currentTimeMillis() / 1000 + 60);
        Files.writeString(updates.resolve("failing-before"), "door-contact\n");
        TrialRun run = runWithDoorOpen(vertx);
        try {
            await("the update kept and reported").atMost(Duration.ofSeconds(30)).until(() -> run.broker.events()
                    .stream().anyMatch(e -> e.getString("type").equals(EventType.UPDATE_APPLIED)
                            && e.getJsonObject("data").getString("version").equals(StationAgent.VERSION)));
            assertThat(updates.resolve("pending")).doesNotExist();
            assertThat(Files.readString(updates.resolve("current")).strip()).isEqualTo(StationAgent.VERSION);
            assertThat(updates.resolve("result.json")).doesNotExist();
            assertThat(run.restart.getCount()).as("no restart").isEqualTo(1);
        } finally {
            run.stop();
        }
    }

    @Test
    void aCheckThatFailsOnlySinceTheUpdateSendsItBack(Vertx vertx) throws Exception {
        Path updates = onTrial(System.currentTimeMillis() / 1000 + 60);
        Files.writeString(updates.resolve("failing-before"), "smoke\n");
        TrialRun run = runWithDoorOpen(vertx);
        try {
            assertThat(run.restart.await(30, TimeUnit.SECONDS)).as("the agent asks to be restarted").isTrue();
            assertThat(Files.readString(updates.resolve("current")).strip()).isEqualTo("0.1.0-old");
            JsonObject result = new JsonObject(Files.readString(updates.resolve("result.json")));
            assertThat(result.getString("reason")).isEqualTo("its self-test failed: door-contact");
        } finally {
            run.stop();
        }
    }

    private record TrialRun(StationAgent agent, TestBroker broker, CountDownLatch restart) {
        void stop() throws Exception {
            Futures.get(agent.stop());
            Futures.get(broker.close());
        }
    }

    /**
     * Starts the agent with its hub not yet there, opens the door (the self-test's door-contact check then fails),
     * and only then lets it come online: its trial runs the self-test with the door open.
     */
    private TrialRun runWithDoorOpen(Vertx vertx) throws Exception {
        int port = freePort();
        CountDownLatch restart = new CountDownLatch(1);
        StationAgent agent = new StationAgent(vertx, config(port), tmp, true).onRestart(restart::countDown);
        Futures.get(agent.start());
        int status = Futures.get(WebClient.create(vertx).post(agent.httpPort(), "127.0.0.1", "/sim/door")
                .sendJsonObject(new JsonObject().put("open", true))).statusCode();
        assertThat(status).as("door opened").isLessThan(300);
        TestBroker broker = new TestBroker();
        Futures.get(broker.start(vertx, port));
        return new TrialRun(agent, broker, restart);
    }

    /** The update state of this agent's version on trial until {@code deadline}, 0.1.0-old before it. */
    private Path onTrial(long deadline) throws Exception {
        Path updates = Files.createDirectories(tmp.resolve("updates"));
        Files.createDirectories(updates.resolve("versions/0.1.0-old"));
        Files.writeString(updates.resolve("versions/0.1.0-old/yizhan-agent.jar"), "previous jar");
        Files.writeString(updates.resolve("pending"), pending(deadline));
        Files.writeString(updates.resolve("current"), StationAgent.VERSION + "\n");
        return updates;
    }

    private static String pending(long deadline) {
        return "version=" + StationAgent.VERSION + "\nprevious=0.1.0-old\nrestored=0.1.0-old\ndeadline=" + deadline
                + "\nrollout=01TRIAL\ncommand=01CMD\n";
    }

    private static StationConfig config(int mqttPort) throws Exception {
        return StationConfig.defaults("st-trial01", "试用站", "http://127.0.0.1:" + mqttPort,
                new StationConfig.Mqtt("127.0.0.1", mqttPort, false, "st-trial01", "secret-of-the-station", 10),
                "simulated", 2, 10, 2, 5).withHttp(new StationConfig.LocalHttp("127.0.0.1", 0));
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
