package org.yizhan.demo;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.agent.StationAgent;
import org.yizhan.agent.cli.Provisioner;
import org.yizhan.agent.config.ConfigFile;
import org.yizhan.config.StationConfig;
import org.yizhan.hub.stations.DemoStations;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Demo mode's simulated stations: the real station agent on Pi4J's mock platform, provisioned with its claim
 * code over the hub's own HTTP API and connected over MQTT like any station. A driver then plays the world
 * through each agent's simulator API: riders come and go through the door beams, plug in e-bikes that charge
 * and finish, and open the door now and then.
 */
public final class DemoFleet {

    private static final Logger LOG = LoggerFactory.getLogger(DemoFleet.class);
    private static final long TICK_MILLIS = 1500;

    private final Vertx vertx;
    private final Path dir;
    private final String hubUrl;
    private final WebClient http;
    private final Random random = new Random();
    private final List<Sim> sims = new ArrayList<>();
    private long timer = -1;

    /** World state of one simulated station, as the driver sees it. */
    private static final class Sim {
        final StationAgent agent;
        int people;
        final double[] portPower;
        final int capacity;

        Sim(StationAgent agent) {
            this.agent = agent;
            this.capacity = agent.config().occupancy().capacity();
            this.portPower = new double[agent.config().charger().ports().size()];
        }
    }

    /**
     * @param dir    where the demo agents keep their state ({@code dir/<stationId>})
     * @param hubUrl the hub's own HTTP address, for provisioning
     */
    public DemoFleet(Vertx vertx, Path dir, String hubUrl) {
        this.vertx = vertx;
        this.dir = dir;
        this.hubUrl = hubUrl;
        this.http = WebClient.create(vertx);
    }

    /** Provisions the stations that are not yet, starts an agent for each, then the driver. */
    public Future<Void> start(List<DemoStations.Demo> demos) {
        Future<Void> chain = Future.succeededFuture();
        for (DemoStations.Demo d : demos) {
            chain = chain.compose(x -> startOne(d));
        }
        return chain.onSuccess(x -> {
            timer = vertx.setPeriodic(TICK_MILLIS, id -> tick());
            LOG.info("Demo fleet of {} simulated stations is running", sims.size());
        });
    }

    private Future<Void> startOne(DemoStations.Demo d) {
        Path stateDir = dir.resolve(d.stationId());
        return vertx.executeBlocking(() -> {
            if (!Files.exists(ConfigFile.path(stateDir))) {
                String code = d.claimCode().orElseThrow(() -> new IllegalStateException("demo station "
                        + d.stationId() + " is provisioned but its agent state is gone; delete the data directory"));
                return new Provisioner().provision(hubUrl, code, stateDir);
            }
            return ConfigFile.read(stateDir);
        }).compose(config -> {
            StationConfig local = config.withHttp(new StationConfig.LocalHttp("127.0.0.1", 0));
            StationAgent agent = new StationAgent(vertx, local, stateDir, true);
            return agent.start().map(x -> {
                sims.add(new Sim(agent));
                return null;
            });
        });
    }

    private void tick() {
        for (Sim s : sims) {
            if (random.nextInt(3) == 0) {
                act(s);
            }
        }
    }

    private void act(Sim s) {
        int roll = random.nextInt(100);
        if (roll < 35) {
            boolean in = s.people == 0 || (s.people < s.capacity && random.nextInt(100) < 55);
            s.people += in ? 1 : -1;
            post(s, "/sim/beam", new JsonObject().put("direction", in ? "in" : "out"));
        } else if (roll < 80 && s.portPower.length > 0) {
            int i = random.nextInt(s.portPower.length);
            double p = s.portPower[i];
            JsonObject body;
            if (p == 0) {
                p = 150 + random.nextInt(60);
                body = new JsonObject().put("plugged", true).put("powerW", p).put("tempC", 28 + random.nextInt(6));
            } else if (p > 40) {
                p = Math.max(8, p - 25 - random.nextInt(40));
                body = new JsonObject().put("plugged", true).put("powerW", p).put("tempC", 30 + random.nextInt(6));
            } else {
                p = 0;
                body = new JsonObject().put("plugged", false).put("powerW", 0);
            }
            s.portPower[i] = p;
            post(s, "/sim/charger/" + (i + 1), body);
        } else if (roll < 88) {
            post(s, "/sim/exit-button", new JsonObject());
        }
    }

    private void post(Sim s, String path, JsonObject body) {
        int port = s.agent.httpPort();
        if (port == 0) {
            return;
        }
        http.post(port, "127.0.0.1", path).sendJsonObject(body).onComplete(ar -> {
            if (ar.failed()) {
                LOG.debug("Demo driver call {} failed: {}", path, ar.cause().toString());
            } else if (ar.result().statusCode() >= 400) {
                LOG.debug("Demo driver call {} answered {}: {}", path, ar.result().statusCode(), ar.result().bodyAsString());
            }
        });
    }

    public Future<Void> stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        List<Future<Void>> stops = new ArrayList<>();
        sims.forEach(s -> stops.add(s.agent.stop()));
        return Future.join(stops).mapEmpty().eventually(() -> {
            http.close();
            return Future.succeededFuture();
        }).mapEmpty();
    }

    public int size() {
        return sims.size();
    }
}
