package org.yizhan.agent.update;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.agent.StationAgent;
import org.yizhan.config.StationConfig;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A new agent version on trial that cannot reach its hub: at the deadline it puts the previous version back,
 * leaves the reason for it to report and asks to be restarted (the launcher then starts the previous one), all on
 * its own, with no hub to tell it. The real agent in this process, on simulated hardware, its MQTT port closed.
 */
@ExtendWith(VertxExtension.class)
class UpdateTrialIT {

    @TempDir
    Path tmp;

    @Test
    void aVersionThatDoesNotComeOnlineBeforeItsDeadlineGoesBackByItself(Vertx vertx) throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        StationConfig c = StationConfig.defaults("st-trial01", "试用站", "http://127.0.0.1:" + closed,
                new StationConfig.Mqtt("127.0.0.1", closed, false, "st-trial01", "secret-of-the-station", 10),
                "simulated", 2, 10, 2, 5).withHttp(new StationConfig.LocalHttp("127.0.0.1", 0));
        Path updates = Files.createDirectories(tmp.resolve("updates"));
        Files.createDirectories(updates.resolve("versions/0.1.0-old"));
        Files.writeString(updates.resolve("versions/0.1.0-old/yizhan-agent.jar"), "previous jar");
        long deadline = System.currentTimeMillis() / 1000 + 3;
        Files.writeString(updates.resolve("pending"), "version=" + StationAgent.VERSION + "\nprevious=0.1.0-old\n"
                + "restored=0.1.0-old\ndeadline=" + deadline + "\nrollout=01TRIAL\ncommand=01CMD\n");
        Files.writeString(updates.resolve("current"), StationAgent.VERSION + "\n");

        CountDownLatch restart = new CountDownLatch(1);
        StationAgent agent = new StationAgent(vertx, c, tmp, true).onRestart(restart::countDown);
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
}
