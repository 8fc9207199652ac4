package org.yizhan.hub;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.nio.charset.StandardCharsets;
import org.yizhan.protocol.Topics;
import org.yizhan.protocol.ConfigMessage;
import org.yizhan.protocol.Codec;
import org.yizhan.protocol.Channel;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttClient;
import com.google.zxing.BinaryBitmap;
import com.google.zxing.client.j2se.BufferedImageLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.config.StationConfig;
import org.yizhan.protocol.ClaimQr;
import org.yizhan.testing.HubClient;
import org.yizhan.testing.TestHub;
import org.yizhan.hub.live.Bus;
import org.yizhan.hub.stations.StationSecrets;

import javax.imageio.ImageIO;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The hub's HTTP API against a real hub (H2, QuestDB, MQTT, HTTP) on free ports. */
@ExtendWith(VertxExtension.class)
class HubHttpApiIT {

    private static final String CODE = "[2-9A-HJ-NP-Z]{5}-[2-9A-HJ-NP-Z]{5}";

    @TempDir
    static Path dir;

    static TestHub hub;
    static HubApp app;
    static HubClient api;
    static String admin;
    static String technician;
    static String operator;

    @BeforeAll
    static void startHub(Vertx vertx) throws Exception {
        hub = TestHub.start(vertx, dir);
        app = hub.app();
        api = hub.client();
        admin = hub.adminToken();
        technician = hub.user("tech", "technician");
        operator = hub.user("oper", "operator");
    }

    @AfterAll
    static void stopHub() throws Exception {
        hub.close();
    }

    private static JsonObject error(HttpResponse<Buffer> r) {
        return r.bodyAsJsonObject().getJsonObject("error");
    }

    // ---- start-up, health, metrics -------------------------------------------------------------------------

    @Test
    void writesBoundPortsToPortsJson() throws Exception {
        JsonObject ports = new JsonObject(Files.readString(hub.dataDir().resolve("ports.json")));
        assertThat(ports.getInteger("http")).isEqualTo(app.httpPort()).isPositive();
        assertThat(ports.getInteger("mqtt")).isEqualTo(app.mqttPort()).isPositive();
        assertThat(app.generatedAdminPasswordFile()).as("configured admin password, nothing generated").isEmpty();
        assertThat(hub.dataDir().resolve("admin-password")).doesNotExist();
    }

    @Test
    void healthIsUpAndMetricsArePrometheusText(VertxTestContext ctx) {
        api.get("/health").compose(h -> {
            ctx.verify(() -> {
                assertThat(h.statusCode()).isEqualTo(200);
                assertThat(h.bodyAsJsonObject().getString("status")).isEqualTo("up");
                assertThat(h.getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
                assertThat(h.getHeader("Content-Security-Policy")).contains("default-src 'self'");
            });
            return api.get("/metrics");
        }).onComplete(ctx.succeeding(m -> ctx.verify(() -> {
            assertThat(m.statusCode()).isEqualTo(200);
            assertThat(m.getHeader("Content-Type")).startsWith("text/plain; version=0.0.4");
            assertThat(m.bodyAsString()).contains("yizhan_mqtt_connections", "yizhan_timeseries_write_errors_total",
                    "yizhan_mqtt_rejects_total{reason=\"bad-password\"}", "yizhan_ingest_latency_seconds_bucket");
            ctx.completeNow();
        })));
    }

    @Test
    void unknownApiPathIsJson404(VertxTestContext ctx) {
        api.get("/api/v1/nothing-here", admin).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(error(r).getString("code")).isEqualTo("not-found");
            ctx.completeNow();
        })));
    }

    // ---- auth ----------------------------------------------------------------------------------------------

    @Test
    void loginGivesTokenRoleAndExpiryInTwelveHours(VertxTestContext ctx) {
        long before = System.currentTimeMillis();
        api.post("/api/v1/auth/login", new JsonObject().put("username", "admin").put("password", TestHub.ADMIN_PASSWORD))
                .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
                    assertThat(r.statusCode()).isEqualTo(200);
                    JsonObject b = r.bodyAsJsonObject();
                    assertThat(b.getString("token")).as("a JWT").matches("[\\w-]+\\.[\\w-]+\\.[\\w-]+");
                    assertThat(b.getString("role")).isEqualTo("admin");
                    assertThat(b.getLong("expiresAt")).isBetween(before + 12 * 3600_000L - 2000, before + 12 * 3600_000L + 2000);
                    ctx.completeNow();
                })));
    }

    @Test
    void wrongPasswordIs401AndNamesNoUser(VertxTestContext ctx) {
        api.post("/api/v1/auth/login", new JsonObject().put("username", "oper").put("password", "not-it"))
                .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
                    assertThat(r.statusCode()).isEqualTo(401);
                    assertThat(error(r).getString("code")).isEqualTo("invalid-credentials");
                    ctx.completeNow();
                })));
    }

    @Test
    void callsWithoutOrWithForgedTokenAre401(VertxTestContext ctx) {
        api.get("/api/v1/stations").compose(none -> {
            ctx.verify(() -> {
                assertThat(none.statusCode()).isEqualTo(401);
                assertThat(error(none).getString("code")).isEqualTo("unauthorized");
                assertThat(none.getHeader("WWW-Authenticate")).isEqualTo("Bearer");
            });
            String forged = admin.substring(0, admin.lastIndexOf('.') + 1) + "AAAA" + admin.substring(admin.lastIndexOf('.') + 5);
            return api.get("/api/v1/stations", forged);
        }).onComplete(ctx.succeeding(bad -> ctx.verify(() -> {
            assertThat(bad.statusCode()).isEqualTo(401);
            assertThat(error(bad).getString("code")).isEqualTo("invalid-token");
            ctx.completeNow();
        })));
    }

    @Test
    void operatorMayNotCreateStationsAndTechnicianMayNotReadDeadLetters(VertxTestContext ctx) {
        api.post("/api/v1/stations", operator, TestHub.station("x")).compose(r -> {
            ctx.verify(() -> {
                assertThat(r.statusCode()).isEqualTo(403);
                assertThat(error(r).getString("code")).isEqualTo("forbidden");
            });
            return api.get("/api/v1/dead-letters", technician);
        }).compose(r -> {
            ctx.verify(() -> assertThat(r.statusCode()).isEqualTo(403));
            return api.get("/api/v1/dead-letters", admin);
        }).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.bodyAsJsonObject().getJsonArray("deadLetters")).isNotNull();
            ctx.completeNow();
        })));
    }

    @Test
    void creatingAnExistingUserIs409AndUnknownRoleIs400(VertxTestContext ctx) {
        JsonObject dup = new JsonObject().put("username", "oper").put("password", "long-enough-pw").put("role", "operator");
        api.post("/api/v1/users", admin, dup).compose(r -> {
            ctx.verify(() -> assertThat(r.statusCode()).isEqualTo(409));
            return api.post("/api/v1/users", admin, dup.copy().put("username", "new1").put("role", "root"));
        }).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(error(r).getString("field")).isEqualTo("role");
            ctx.completeNow();
        })));
    }

    // ---- stations ------------------------------------------------------------------------------------------

    @Test
    void technicianCreatesStationAndGetsClaimCode(VertxTestContext ctx) {
        String name = "<b>西湖 \"驿站\" & 'one'</b>";
        long before = System.currentTimeMillis();
        api.createStation(technician, TestHub.station(name).put("heartbeatSeconds", 15)).compose(created -> {
            JsonObject st = created.getJsonObject("station");
            ctx.verify(() -> {
                assertThat(st.getString("id")).matches("st-[a-z2-7]{10}");
                assertThat(st.getString("name")).as("returned as given").isEqualTo(name);
                assertThat(st.getInteger("heartbeatSeconds")).isEqualTo(15);
                assertThat(st.getInteger("telemetrySeconds")).isEqualTo(30);
                assertThat(created.getString("claimCode")).matches(CODE);
                assertThat(created.getLong("claimExpiresAt")).isBetween(before + 24 * 3600_000L - 2000,
                        before + 24 * 3600_000L + 5000);
            });
            return api.get("/api/v1/stations/" + st.getString("id"), operator);
        }).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
            assertThat(r.statusCode()).isEqualTo(200);
            JsonObject s = r.bodyAsJsonObject();
            assertThat(s.getString("name")).isEqualTo(name);
            assertThat(s.getJsonObject("presence").getString("state")).isEqualTo("unknown");
            assertThat(s.getJsonObject("occupancy").getInteger("capacity")).isEqualTo(20);
            assertThat(s.getJsonArray("chargers")).hasSize(4);
            assertThat(s.getJsonArray("chargers").getJsonObject(0).getString("state")).isEqualTo("unknown");
            assertThat(s.getJsonArray("alerts")).isEmpty();
            ctx.completeNow();
        })));
    }

    @Test
    void invalidStationFieldsAreRefusedNamingTheField(VertxTestContext ctx) {
        List<Map.Entry<String, JsonObject>> cases = List.of(
                Map.entry("name", TestHub.station("x").put("name", "   ")),
                Map.entry("name", withoutField(TestHub.station("x"), "name")),
                Map.entry("name", TestHub.station("x").put("name", "n".repeat(201))),
                Map.entry("address", TestHub.station("x").put("address", "a".repeat(501))),
                Map.entry("lat", TestHub.station("x").put("lat", 90.5)),
                Map.entry("lon", TestHub.station("x").put("lon", "east")),
                Map.entry("profile", TestHub.station("x").put("profile", "pi3-old")),
                Map.entry("ports", TestHub.station("x").put("ports", 17)),
                Map.entry("ports", TestHub.station("x").put("ports", 2.5)),
                Map.entry("ports", TestHub.station("x").put("profile", "pi4b-standard").put("ports", 16)),
                Map.entry("capacity", TestHub.station("x").put("capacity", 0)),
                Map.entry("heartbeatSeconds", TestHub.station("x").put("heartbeatSeconds", 3601)),
                Map.entry("telemetrySeconds", TestHub.station("x").put("telemetrySeconds", "30")));
        Future<Void> chain = Future.succeededFuture();
        for (Map.Entry<String, JsonObject> c : cases) {
            chain = chain.compose(v -> api.post("/api/v1/stations", technician, c.getValue()).map(r -> {
                ctx.verify(() -> {
                    assertThat(r.statusCode()).as("%s", c.getValue()).isEqualTo(400);
                    assertThat(error(r).getString("field")).as("%s", c.getValue()).isEqualTo(c.getKey());
                    assertThat(error(r).getString("message")).startsWith(c.getKey() + ":");
                });
                return null;
            }));
        }
        chain.onComplete(ctx.succeedingThenComplete());
    }

    private static JsonObject withoutField(JsonObject o, String field) {
        o.remove(field);
        return o;
    }

    @Test
    void malformedJsonIs400AndOversizedBodyIs413(VertxTestContext ctx) {
        api.postRaw("/api/v1/stations", technician, Buffer.buffer("{\"name\": \"x\",")).compose(r -> {
            ctx.verify(() -> {
                assertThat(r.statusCode()).isEqualTo(400);
                assertThat(error(r).getString("field")).isEqualTo("body");
            });
            return api.postRaw("/api/v1/stations", technician, Buffer.buffer("[1,2]"));
        }).compose(r -> {
            ctx.verify(() -> assertThat(r.statusCode()).isEqualTo(400));
            JsonObject huge = TestHub.station("x").put("address", "a".repeat(70 * 1024));
            return api.post("/api/v1/stations", technician, huge);
        }).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
            assertThat(r.statusCode()).isEqualTo(413);
            assertThat(error(r).getString("code")).isEqualTo("too-large");
            ctx.completeNow();
        })));
    }

    @Test
    void stationListShowsEveryStation(VertxTestContext ctx) {
        api.createStation(technician, TestHub.station("列表站")).compose(created ->
                api.get("/api/v1/stations", operator).map(r -> {
                    ctx.verify(() -> {
                        assertThat(r.statusCode()).isEqualTo(200);
                        JsonArray all = r.bodyAsJsonObject().getJsonArray("stations");
                        assertThat(all.stream().map(o -> ((JsonObject) o).getString("id")))
                                .contains(created.getJsonObject("station").getString("id"));
                    });
                    return null;
                })).onComplete(ctx.succeedingThenComplete());
    }

    // ---- claim codes and provisioning ----------------------------------------------------------------------

    @Test
    void provisionGivesCredentialsAndAValidConfigOnce(VertxTestContext ctx) {
        JsonObject spec = TestHub.station("Provision me").put("heartbeatSeconds", 12).put("telemetrySeconds", 45)
                .put("ports", 3);
        api.createStation(technician, spec).compose(created -> {
            String id = created.getJsonObject("station").getString("id");
            String typed = created.getString("claimCode").replace("-", "").toLowerCase();
            return api.post("/api/v1/provision", new JsonObject().put("claimCode", typed)).compose(r -> {
                JsonObject b = r.bodyAsJsonObject();
                ctx.verify(() -> {
                    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
                    assertThat(b.getString("stationId")).isEqualTo(id);
                    JsonObject mqtt = b.getJsonObject("mqtt");
                    assertThat(mqtt.getString("host")).isEqualTo("127.0.0.1");
                    assertThat(mqtt.getInteger("port")).isEqualTo(app.mqttPort());
                    assertThat(mqtt.getBoolean("tls")).isFalse();
                    assertThat(mqtt.getString("username")).isEqualTo(id);
                    assertThat(mqtt.getString("password")).hasSize(43);
                    StationConfig config = StationConfig.parse(b.getJsonObject("config"));
                    assertThat(config.stationId()).isEqualTo(id);
                    assertThat(config.heartbeatSeconds()).isEqualTo(12);
                    assertThat(config.telemetrySeconds()).isEqualTo(45);
                    assertThat(config.charger().ports()).hasSize(3);
                    assertThat(config.mqtt().password()).isEqualTo(mqtt.getString("password"));
                    assertThat(config.hub().url()).isEqualTo("http://127.0.0.1:" + app.httpPort());
                });
                return storedSecretMatches(id, b.getJsonObject("mqtt").getString("password"));
            }).compose(matches -> {
                ctx.verify(() -> assertThat(matches).as("stored hash verifies the issued secret").isTrue());
                return api.post("/api/v1/provision", new JsonObject().put("claimCode", created.getString("claimCode")));
            });
        }).onComplete(ctx.succeeding(again -> ctx.verify(() -> {
            assertThat(again.statusCode()).as("a code works once").isEqualTo(410);
            assertThat(error(again).getString("code")).isEqualTo("claim-code-used");
            ctx.completeNow();
        })));
    }

    @Test
    void provisionedStationGetsItsDesiredConfigOnSubscribeWithoutCredentials() throws Exception {
        JsonObject created = api.createStation(technician, TestHub.station("Config on subscribe").put("ports", 2))
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        String id = created.getJsonObject("station").getString("id");
        JsonObject answer = api.post("/api/v1/provision", new JsonObject().put("claimCode", created.getString("claimCode")))
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).bodyAsJsonObject();
        String password = answer.getJsonObject("mqtt").getString("password");

        MqttClient station = new MqttClient("tcp://127.0.0.1:" + app.mqttPort(), id, new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setUserName(id);
        options.setPassword(password.toCharArray());
        options.setCleanSession(true);
        BlockingQueue<MqttMessage> received = new LinkedBlockingQueue<>();
        try {
            station.connect(options);
            station.subscribe(Topics.of(id, Channel.CONFIG), 1, (topic, message) -> received.add(message));
            MqttMessage message = received.poll(10, TimeUnit.SECONDS);
            assertThat(message).as("the retained config arrives on subscribe").isNotNull();
            assertThat(message.isRetained()).as("retained flag").isTrue();
            String text = new String(message.getPayload(), StandardCharsets.UTF_8);
            ConfigMessage config = Codec.decode(Channel.CONFIG, message.getPayload(), ConfigMessage.class);
            assertThat(config.version()).isEqualTo(1);
            assertThat(config.config().getString("stationId")).isEqualTo(id);
            assertThat(config.config().getJsonObject("charger").getJsonArray("ports")).hasSize(2);
            assertThat(config.config().containsKey("mqtt")).as("credentials never travel over MQTT").isFalse();
            assertThat(text).doesNotContain(password);
        } finally {
            if (station.isConnected()) {
                station.disconnect();
            }
            station.close();
        }
    }

    private static Future<Boolean> storedSecretMatches(String stationId, String secret) {
        return app.database().call(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT salt, hash FROM station_credentials WHERE station_id = ?")) {
                ps.setString(1, stationId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() && StationSecrets.verify(secret, new StationSecrets.Hashed(rs.getString(1), rs.getString(2)));
                }
            }
        });
    }

    @Test
    void unknownAndMalformedClaimCodesAreRefused(VertxTestContext ctx) {
        api.post("/api/v1/provision", new JsonObject().put("claimCode", "ZZZZZ-ZZZZZ")).compose(r -> {
            ctx.verify(() -> {
                assertThat(r.statusCode()).isEqualTo(404);
                assertThat(error(r).getString("code")).isEqualTo("claim-code-unknown");
            });
            return api.post("/api/v1/provision", new JsonObject().put("claimCode", "O0I1O-0I1O0"));
        }).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(error(r).getString("field")).isEqualTo("claimCode");
            ctx.completeNow();
        })));
    }

    @Test
    void claimPngDecodesToTheCodeAndANewCodeEndsTheOldOne(VertxTestContext ctx, Vertx vertx) {
        api.createStation(technician, TestHub.station("QR")).compose(created -> {
            String id = created.getJsonObject("station").getString("id");
            String first = created.getString("claimCode");
            return api.get("/api/v1/stations/" + id + "/claim.png", technician)
                    .compose(png -> {
                        ctx.verify(() -> {
                            assertThat(png.statusCode()).isEqualTo(200);
                            assertThat(png.getHeader("Content-Type")).isEqualTo("image/png");
                        });
                        return decodeQr(vertx, png.bodyAsBuffer());
                    })
                    .compose(text -> {
                        // the kiosk's camera reads the hub and the code from it (no CA pin: this hub is plain HTTP)
                        ctx.verify(() -> {
                            ClaimQr qr = ClaimQr.parse(text);
                            assertThat(qr.code()).isEqualTo(first);
                            assertThat(qr.hubOrigin()).isEqualTo("http://127.0.0.1:" + hub.httpPort());
                            assertThat(qr.pin()).isEmpty();
                        });
                        return api.post("/api/v1/stations/" + id + "/claim", technician, new JsonObject());
                    })
                    .compose(fresh -> {
                        ctx.verify(() -> {
                            assertThat(fresh.statusCode()).isEqualTo(201);
                            assertThat(fresh.bodyAsJsonObject().getString("claimCode")).matches(CODE).isNotEqualTo(first);
                        });
                        return api.post("/api/v1/provision", new JsonObject().put("claimCode", first));
                    })
                    .compose(old -> {
                        ctx.verify(() -> {
                            assertThat(old.statusCode()).isEqualTo(410);
                            assertThat(error(old).getString("code")).isEqualTo("claim-code-expired");
                        });
                        return api.get("/api/v1/stations/" + id + "/claim.png", operator);
                    })
                    .compose(forbidden -> {
                        ctx.verify(() -> assertThat(forbidden.statusCode()).isEqualTo(403));
                        return api.get("/api/v1/stations/st-nosuchstation/claim.png", technician);
                    });
        }).onComplete(ctx.succeeding(missing -> ctx.verify(() -> {
            assertThat(missing.statusCode()).isEqualTo(404);
            ctx.completeNow();
        })));
    }

    private static Future<String> decodeQr(Vertx vertx, Buffer png) {
        return vertx.executeBlocking(() -> new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(
                new BufferedImageLuminanceSource(ImageIO.read(new ByteArrayInputStream(png.getBytes())))))).getText());
    }

    // ---- commands, history, records ------------------------------------------------------------------------

    @Test
    void commandIsAcceptedAndPendingUntilDelivered(VertxTestContext ctx) {
        api.createStation(technician, TestHub.station("Cmd")).compose(created -> {
            String id = created.getJsonObject("station").getString("id");
            long before = System.currentTimeMillis();
            return api.post("/api/v1/stations/" + id + "/commands", operator,
                    new JsonObject().put("name", "door.unlock").put("args", new JsonObject().put("seconds", 5))).compose(r -> {
                ctx.verify(() -> {
                    assertThat(r.statusCode()).isEqualTo(202);
                    assertThat(r.bodyAsJsonObject().getString("status")).isEqualTo("pending");
                    assertThat(r.bodyAsJsonObject().getLong("expiresAt")).as("door.unlock lives 30 s")
                            .isBetween(before + 29_000, before + 32_000);
                });
                return api.get("/api/v1/commands/" + r.bodyAsJsonObject().getString("id"), operator);
            });
        }).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.bodyAsJsonObject().getString("name")).isEqualTo("door.unlock");
            assertThat(r.bodyAsJsonObject().getString("status")).isEqualTo("pending");
            ctx.completeNow();
        })));
    }

    @Test
    void badCommandsAreRefused(VertxTestContext ctx) {
        api.createStation(technician, TestHub.station("Cmd2")).compose(created -> {
            String path = "/api/v1/stations/" + created.getJsonObject("station").getString("id") + "/commands";
            return api.post(path, operator, new JsonObject().put("name", "door.explode")).compose(r -> {
                ctx.verify(() -> assertThat(error(r).getString("field")).isEqualTo("name"));
                return api.post(path, operator, new JsonObject().put("name", "selftest.run").put("ttlSeconds", 0));
            }).compose(r -> {
                ctx.verify(() -> assertThat(error(r).getString("field")).isEqualTo("ttlSeconds"));
                return api.post(path, operator, new JsonObject().put("name", "selftest.run").put("args", "x"));
            }).compose(r -> {
                ctx.verify(() -> assertThat(error(r).getString("field")).isEqualTo("args"));
                return api.post("/api/v1/stations/st-unknown00000/commands", operator,
                        new JsonObject().put("name", "selftest.run"));
            });
        }).compose(r -> {
            ctx.verify(() -> assertThat(r.statusCode()).isEqualTo(404));
            return api.get("/api/v1/commands/01ARZ3NDEKTSV4RRFFQ69G5FAV", operator);
        }).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
            assertThat(r.statusCode()).isEqualTo(404);
            ctx.completeNow();
        })));
    }

    @Test
    void historyChecksItsParameters(VertxTestContext ctx) {
        api.createStation(technician, TestHub.station("Hist")).compose(created -> {
            String base = "/api/v1/stations/" + created.getJsonObject("station").getString("id") + "/history";
            return api.get(base + "?metric=occupancy.nope", operator).compose(r -> {
                ctx.verify(() -> assertThat(error(r).getString("field")).isEqualTo("metric"));
                return api.get(base + "?metric=occupancy.count&from=2000&to=1000", operator);
            }).compose(r -> {
                ctx.verify(() -> assertThat(error(r).getString("field")).isEqualTo("from"));
                return api.get(base + "?metric=occupancy.count&from=0&to=86400000&step=1s", operator);
            }).compose(r -> {
                ctx.verify(() -> assertThat(error(r).getString("field")).as("86 400 steps").isEqualTo("step"));
                return api.get(base + "?metric=occupancy.count&step=500ms", operator);
            }).compose(r -> {
                ctx.verify(() -> assertThat(error(r).getString("field")).isEqualTo("step"));
                return api.get(base + "?metric=occupancy.count&step=1m", operator);
            });
        }).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
            assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
            assertThat(r.bodyAsJsonObject().getString("metric")).isEqualTo("occupancy.count");
            assertThat(r.bodyAsJsonObject().getLong("step")).isEqualTo(60_000L);
            assertThat(r.bodyAsJsonObject().getJsonArray("points")).isNotNull();
            ctx.completeNow();
        })));
    }

    @Test
    void eventsAndAlertsListsCheckTheirParameters(VertxTestContext ctx) {
        api.get("/api/v1/events?limit=10", operator).compose(r -> {
            ctx.verify(() -> {
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.bodyAsJsonObject().getJsonArray("events")).isNotNull();
            });
            return api.get("/api/v1/events?limit=1001", operator);
        }).compose(r -> {
            ctx.verify(() -> assertThat(error(r).getString("field")).isEqualTo("limit"));
            return api.get("/api/v1/events?after=not-an-id", operator);
        }).compose(r -> {
            ctx.verify(() -> assertThat(error(r).getString("field")).isEqualTo("after"));
            return api.get("/api/v1/alerts?open=maybe", operator);
        }).compose(r -> {
            ctx.verify(() -> assertThat(error(r).getString("field")).isEqualTo("open"));
            return api.get("/api/v1/alerts?open=true&stationId=demo-1", operator);
        }).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.bodyAsJsonObject().getJsonArray("alerts")).isNotNull();
            ctx.completeNow();
        })));
    }

    @Test
    void publicStationsNeedNoLoginAndCheckNear(VertxTestContext ctx) {
        api.get("/api/v1/public/stations?near=30.2,120.1").compose(r -> {
            ctx.verify(() -> {
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.bodyAsJsonObject().getJsonArray("stations")).as("no station is online").isEmpty();
            });
            return api.get("/api/v1/public/stations?near=91,120");
        }).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(error(r).getString("field")).isEqualTo("near");
            ctx.completeNow();
        })));
    }

    // ---- live stream ---------------------------------------------------------------------------------------

    @Test
    void streamForwardsLiveMessagesAsServerSentEvents(Vertx vertx) throws Exception {
        // a plain JDK client reads the stream line by line: no first chunk can slip past before a handler is set
        List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpRequest req = java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                "http://127.0.0.1:" + api.port() + "/api/v1/stream?access_token=" + operator)).build();
        java.util.concurrent.CompletableFuture<java.net.http.HttpResponse<java.util.stream.Stream<String>>> open =
                http.sendAsync(req, java.net.http.HttpResponse.BodyHandlers.ofLines());
        java.net.http.HttpResponse<java.util.stream.Stream<String>> resp = open.get(10, TimeUnit.SECONDS);
        assertThat(resp.statusCode()).isEqualTo(200);
        assertThat(resp.headers().firstValue("Content-Type")).hasValueSatisfying(
                t -> assertThat(t).startsWith("text/event-stream"));
        Thread reader = new Thread(() -> resp.body().forEach(lines::add), "sse-reader");
        reader.setDaemon(true);
        reader.start();
        org.awaitility.Awaitility.await("stream connected").atMost(java.time.Duration.ofSeconds(10))
                .until(() -> lines.contains(": connected"));

        JsonObject live = new JsonObject().put("kind", "telemetry").put("stationId", "st-live")
                .put("data", new JsonObject().put("occupancy", new JsonObject().put("count", 3)));
        vertx.eventBus().publish(Bus.LIVE, live);
        org.awaitility.Awaitility.await("live message on the stream").atMost(java.time.Duration.ofSeconds(10))
                .until(() -> lines.indexOf("event: telemetry") >= 0);
        int at = lines.indexOf("event: telemetry");
        org.awaitility.Awaitility.await("its data line").atMost(java.time.Duration.ofSeconds(10))
                .until(() -> lines.size() > at + 2);
        assertThat(lines.subList(at, at + 3)).containsExactly("event: telemetry", "data: " + live.encode(), "");
        assertThat(lines.indexOf(": connected")).isLessThan(at);
        resp.body().close();
    }

    @Test
    void streamWithoutTokenIs401(VertxTestContext ctx) {
        api.get("/api/v1/stream").onComplete(ctx.succeeding(r -> ctx.verify(() -> {
            assertThat(r.statusCode()).isEqualTo(401);
            ctx.completeNow();
        })));
    }
}
