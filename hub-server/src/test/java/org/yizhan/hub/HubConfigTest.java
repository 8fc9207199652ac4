package org.yizhan.hub;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yizhan.hub.http.HttpApi;
import org.yizhan.hub.members.JoinPolicy;
import org.yizhan.hub.timeseries.DeadBands;
import org.yizhan.protocol.Limits;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The map tile settings: a valid template is kept with its origin, anything else is refused by name at start. */
class HubConfigTest {

    @TempDir
    Path dir;

    @Test
    void amapTilesAreGcj02WithSubdomainsEachAnOriginOfItsOwn() throws Exception {
        HubConfig c = HubConfig.load(Optional.empty(), Map.of(
                "YIZHAN_MAP_TILE_URL", "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&style=8&x={x}&y={y}&z={z}",
                "YIZHAN_MAP_TILE_SUBDOMAINS", "1234", "YIZHAN_MAP_TILE_COORDS", "GCJ02"));
        assertThat(c.mapTileCoords()).isEqualTo("gcj02");
        assertThat(c.mapTileOrigins()).containsExactly("https://webrd01.is.autonavi.com", "https://webrd02.is.autonavi.com",
                "https://webrd03.is.autonavi.com", "https://webrd04.is.autonavi.com");
        assertThat(HttpApi.csp(c.mapTileOrigins())).contains("img-src 'self' data: https://webrd01.is.autonavi.com "
                + "https://webrd02.is.autonavi.com https://webrd03.is.autonavi.com https://webrd04.is.autonavi.com;");
        assertThat(HubConfig.load(Optional.empty(), Map.of()).mapTileCoords()).isEqualTo("wgs84");
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(), Map.of("YIZHAN_MAP_TILE_URL",
                "https://t{s}.tianditu.gov.cn/vec_w/wmts?TILEMATRIX={z}&TILEROW={y}&TILECOL={x}")))
                .hasMessageContaining("has {s}: set map-tile-subdomains");
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(), Map.of("YIZHAN_MAP_TILE_URL",
                "https://tile.example.org/{z}/{x}/{y}.png", "YIZHAN_MAP_TILE_SUBDOMAINS", "abc")))
                .hasMessageContaining("map-tile-url has no {s}");
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(), Map.of("YIZHAN_MAP_TILE_COORDS", "bd09")))
                .hasMessageContaining("must be wgs84 (OpenStreetMap, Tianditu) or gcj02 (Amap/Gaode)");
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(), Map.of("YIZHAN_MAP_TILE_URL",
                "https://t{s}.example.org/{z}/{x}/{y}.png", "YIZHAN_MAP_TILE_SUBDOMAINS", "a.b")))
                .hasMessageContaining("up to 8 letters or digits");
    }

    @Test
    void updateKeysMustNameAFileOfPublicKeys() throws Exception {
        assertThat(HubConfig.load(Optional.empty(), Map.of()).releaseKeys()).as("no updates without keys").isEmpty();
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(), Map.of("YIZHAN_UPDATE_KEYS",
                dir.resolve("missing.pub").toString()))).hasMessageContaining("update-keys (YIZHAN_UPDATE_KEYS)")
                .hasMessageContaining("cannot be read");
        Path empty = dir.resolve("empty.pub");
        Files.writeString(empty, "not a key\n");
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(), Map.of("YIZHAN_UPDATE_KEYS", empty.toString())))
                .hasMessageContaining("holds no -----BEGIN PUBLIC KEY----- block");
        var pair = java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Path pub = dir.resolve("release.pub");
        Files.writeString(pub, org.yizhan.protocol.UpdateBundle.pem(pair.getPublic()));
        assertThat(HubConfig.load(Optional.empty(), Map.of("YIZHAN_UPDATE_KEYS", pub.toString())).releaseKeys())
                .containsExactly(pair.getPublic());
    }

    @Test
    void withoutATileUrlTheMapIsTheSchematicAndTheImagePolicyStaysStrict() throws Exception {
        HubConfig c = HubConfig.load(Optional.empty(), Map.of());
        assertThat(c.mapTileUrl()).isEmpty();
        assertThat(c.mapTileAttribution()).isEmpty();
        assertThat(c.mapTileOrigin()).isEmpty();
        assertThat(HttpApi.csp(c.mapTileOrigin().stream().toList())).isEqualTo(HttpApi.CSP)
                .contains("img-src 'self' data:;");
    }

    @Test
    void keepsATileUrlFromTheFileAndAllowsOnlyItsOriginForImages() throws Exception {
        Path file = dir.resolve("hub.json");
        Files.writeString(file, """
                {"map-tile-url": "https://Tile.Example.org:8443/osm/{z}/{x}/{y}.png?key=abc",
                 "map-tile-attribution": "© OpenStreetMap contributors"}""");
        HubConfig c = HubConfig.load(Optional.of(file), Map.of());
        assertThat(c.mapTileUrl()).isEqualTo("https://Tile.Example.org:8443/osm/{z}/{x}/{y}.png?key=abc");
        assertThat(c.mapTileAttribution()).isEqualTo("© OpenStreetMap contributors");
        assertThat(c.mapTileOrigin()).contains("https://tile.example.org:8443");
        String csp = HttpApi.csp(c.mapTileOrigin().stream().toList());
        assertThat(csp).contains("img-src 'self' data: https://tile.example.org:8443;")
                .contains("script-src 'self';").contains("connect-src 'self';").contains("default-src 'self';");
    }

    @Test
    void theEnvironmentOverridesTheFileAndAPlainHttpSourceWithoutAPortWorks() throws Exception {
        Path file = dir.resolve("hub.json");
        Files.writeString(file, "{\"map-tile-url\": \"https://a.example.org/{z}/{x}/{y}.png\"}");
        HubConfig c = HubConfig.load(Optional.of(file), Map.of("YIZHAN_MAP_TILE_URL", "http://tiles.lan/{z}/{y}/{x}"));
        assertThat(c.mapTileUrl()).isEqualTo("http://tiles.lan/{z}/{y}/{x}");
        assertThat(c.mapTileOrigin()).contains("http://tiles.lan");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "ftp://tiles.example.org/{z}/{x}/{y}.png",
            "javascript:alert(1)//{z}{x}{y}",
            "tiles.example.org/{z}/{x}/{y}.png",
            "https://tiles.example.org/{z}/{x}.png",
            "https://tiles.example.org/{x}/{y}.png",
            "https://tiles.example.org/tile.png",
            "https:///{z}/{x}/{y}.png",
            "https://user:pw@tiles.example.org/{z}/{x}/{y}.png",
            "https://tiles.example.org; script-src *;/{z}/{x}/{y}",
            "https://tiles.example.org/{z}/{x}/{y}.png 'unsafe-inline'",
            "https://{s}.tile.example.org/{z}/{x}/{y}.png",
            "https://tiles.example.org/\"{z}/{x}/{y}"})
    void refusesABadTileUrlNamingTheSetting(String url) {
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(), Map.of("YIZHAN_MAP_TILE_URL", url)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("map-tile-url (YIZHAN_MAP_TILE_URL): ")
                .hasMessageContaining("https://tile.openstreetmap.org/{z}/{x}/{y}.png");
    }

    @Test
    void saysWhichPartOfATileUrlIsWrong() {
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(), Map.of("YIZHAN_MAP_TILE_URL", "ftp://t.example.org/{z}/{x}/{y}")))
                .hasMessageContaining("must start with http:// or https://");
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(), Map.of("YIZHAN_MAP_TILE_URL", "https://t.example.org/{z}/{x}")))
                .hasMessageContaining("must contain {z}, {x} and {y}");
        String longUrl = "https://t.example.org/{z}/{x}/{y}/" + "a".repeat(600);
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(), Map.of("YIZHAN_MAP_TILE_URL", longUrl)))
                .hasMessageContaining("longer than 512").hasMessageNotContaining("a".repeat(100));
    }

    @Test
    void refusesAnOversizedOrControlCharacterAttribution() {
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(), Map.of("YIZHAN_MAP_TILE_ATTRIBUTION", "x".repeat(201))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("map-tile-attribution (YIZHAN_MAP_TILE_ATTRIBUTION): ");
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(), Map.of("YIZHAN_MAP_TILE_ATTRIBUTION", "a\u0007b")))
                .hasMessageContaining("control characters");
    }

    @Test
    void loginSettingsAreCheckedAndTheOldPerMinuteLimitStillStarts(@TempDir Path dir) throws Exception {
        HubConfig c = HubConfig.load(Optional.empty(), Map.of("YIZHAN_LOGIN_FREE_FAILURES", "3",
                "YIZHAN_PASSWORD_ITERATIONS", "10000", "YIZHAN_MEMBER_TOKEN_DAYS", "30"));
        assertThat(c.loginFreeFailures()).isEqualTo(3);
        assertThat(c.passwordIterations()).isEqualTo(10_000);
        assertThat(c.memberTokenDays()).isEqualTo(30);
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(), Map.of("YIZHAN_PASSWORD_ITERATIONS", "999")))
                .hasMessageContaining("password-iterations");
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(), Map.of("YIZHAN_MEMBER_TOKEN_DAYS", "0")))
                .hasMessageContaining("member-token-days");
        Path old = dir.resolve("old.json");
        Files.writeString(old, "{\"login-attempts-per-minute\": 10}");
        assertThat(HubConfig.load(Optional.of(old), Map.of()).loginFreeFailures()).as("an old file still starts")
                .isEqualTo(5);
    }

    @Test
    void joinPolicyIsOpenByDefaultAndSmsNeedsItsGatewayAndNothingElseTakesOne() throws Exception {
        assertThat(HubConfig.load(Optional.empty(), Map.of()).joining().policy()).isEqualTo(JoinPolicy.OPEN);
        HubConfig sms = HubConfig.load(Optional.empty(), Map.of("YIZHAN_JOIN_POLICY", "sms",
                "YIZHAN_SMS_GATEWAY_URL", "https://sms.union.example/send",
                "YIZHAN_SMS_GATEWAY_SECRET", "a-secret-of-enough-length"));
        assertThat(sms.joining().policy()).isEqualTo(JoinPolicy.SMS);
        assertThat(sms.joining().smsGatewayTimeoutMs()).isEqualTo(5000);
        assertThat(sms.toString()).contains("join").doesNotContain("a-secret-of-enough-length");
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(), Map.of("YIZHAN_JOIN_POLICY", "invite")))
                .hasMessageContaining("join-policy").hasMessageContaining("must be open").hasMessageContaining("approval")
                .hasMessageContaining("sms");
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(), Map.of("YIZHAN_JOIN_POLICY", "sms")))
                .hasMessageContaining("sms-gateway-url").hasMessageContaining("sms-gateway-secret");
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(), Map.of("YIZHAN_JOIN_POLICY", "approval",
                "YIZHAN_SMS_GATEWAY_URL", "https://sms.union.example/send")))
                .hasMessageContaining("sms-gateway-url").hasMessageContaining("not used with join-policy=approval");
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(), Map.of("YIZHAN_JOIN_POLICY", "sms",
                "YIZHAN_SMS_GATEWAY_URL", "ftp://sms.union.example", "YIZHAN_SMS_GATEWAY_SECRET", "a-secret-of-enough-length")))
                .hasMessageContaining("sms-gateway-url").hasMessageContaining("http");
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(), Map.of("YIZHAN_JOIN_POLICY", "sms",
                "YIZHAN_SMS_GATEWAY_URL", "https://sms.union.example", "YIZHAN_SMS_GATEWAY_SECRET", "short")))
                .hasMessageContaining("sms-gateway-secret");
    }

    @Test
    void theExampleFileListsEverySettingAndLoads() throws Exception {
        Path example = Path.of("..", "deploy", "config", "hub.example.json");
        HubConfig c = HubConfig.load(Optional.of(example), Map.of());
        assertThat(Files.readString(example)).contains("\"map-tile-url\"", "\"map-tile-attribution\"",
                "\"db-url\"", "\"db-user\"", "\"db-password\"", "\"trusted-proxies\"", "\"metrics-token\"",
                "\"metrics-allow\"", "\"pass-key-rotation-days\"", "\"mqtt-mode\"", "\"mqtt-broker-url\"",
                "\"mqtt-broker-username\"", "\"mqtt-broker-password\"", "\"mqtt-broker-ca\"", "\"mqtt-shared-group\"",
                "\"mqtt-broker-dynsec\"", "\"mqtt-broker-hook-token\"", "\"login-free-failures\"",
                "\"password-iterations\"", "\"member-token-days\"", "\"join-policy\"", "\"sms-gateway-url\"",
                "\"sms-gateway-secret\"", "\"sms-gateway-timeout-ms\"", "\"mqtt-connect-timeout-seconds\"",
                "\"mqtt-connects-per-second-per-address\"", "\"mqtt-connect-burst-per-address\"",
                "\"mqtt-connect-limit-exempt\"", "\"face-key-file\"", "\"ts-unchanged-write-seconds\"",
                "\"ts-deadband-power-w\"", "\"ts-deadband-energy-wh\"", "\"ts-deadband-temp-c\"",
                "\"ts-deadband-humidity\"");
        assertThat(c.joining().policy()).as("the example ships what a union should run without a gateway")
                .isEqualTo(JoinPolicy.APPROVAL);
        assertThat(c.loginFreeFailures()).isEqualTo(5);
        assertThat(c.passwordIterations()).isEqualTo(600_000);
        assertThat(c.memberTokenDays()).isEqualTo(180);
        assertThat(c.trustedProxies().isEmpty()).isTrue();
        assertThat(c.metricsToken()).isEmpty();
        assertThat(c.passKeyRotationDays()).isEqualTo(90);
        assertThat(c.mapTileUrl()).isEmpty();
        assertThat(List.of(c.mapTileAttribution())).containsExactly("");
    }

    @Test
    void readsProxiesAndTheMetricsRestrictionAndRefusesBadOnesNamingTheSetting() throws Exception {
        HubConfig c = HubConfig.load(Optional.empty(), Map.of("YIZHAN_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1",
                "YIZHAN_METRICS_TOKEN", "scrape-secret-0123456789", "YIZHAN_METRICS_ALLOW", "192.168.0.0/16",
                "YIZHAN_PASS_KEY_ROTATION_DAYS", "30"));
        assertThat(c.trustedProxies().contains("10.9.9.9")).isTrue();
        assertThat(c.metricsAllow().contains("192.168.3.4")).isTrue();
        assertThat(c.passKeyRotationMillis()).isEqualTo(30L * 86_400_000);
        assertThat(c.toString()).doesNotContain("scrape-secret").contains("token ***");
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(), Map.of("YIZHAN_TRUSTED_PROXIES", "proxy.lan")))
                .hasMessageContaining("trusted-proxies (YIZHAN_TRUSTED_PROXIES): 'proxy.lan' is not an IP address");
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(), Map.of("YIZHAN_METRICS_TOKEN", "short")))
                .hasMessageContaining("metrics-token (YIZHAN_METRICS_TOKEN): must be at least 16");
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(), Map.of("YIZHAN_PASS_KEY_ROTATION_DAYS", "0")))
                .hasMessageContaining("pass-key-rotation-days (YIZHAN_PASS_KEY_ROTATION_DAYS): 0 must be 1 to 3650");
    }

    @Test
    void takesAPostgresRegistryFromTheEnvironmentAndNeverShowsItsPassword() throws Exception {
        HubConfig c = HubConfig.load(Optional.empty(), Map.of("YIZHAN_DB_URL",
                "jdbc:postgresql://db.example:5432/yizhan?sslmode=require&password=inurl", "YIZHAN_DB_USER", "hub",
                "YIZHAN_DB_PASSWORD", "s3cret-db"));
        assertThat(c.dbUrl()).startsWith("jdbc:postgresql://db.example:5432/yizhan");
        assertThat(c.dbUser()).isEqualTo("hub");
        assertThat(c.dbPassword()).contains("s3cret-db");
        assertThat(c.toString()).contains("registry=jdbc:postgresql://db.example:5432/yizhan,", "dbPassword=***")
                .doesNotContain("s3cret-db", "inurl");
        assertThat(c.withPorts(0, 0).dbPassword()).contains("s3cret-db");
        assertThat(HubConfig.defaults().dbUrl()).isEmpty();
        assertThat(HubConfig.defaults().toString()).contains("registry=(data dir)");
    }

    @Test
    void refusesADatabaseUrlThatIsNotPostgres() {
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(), Map.of("YIZHAN_DB_URL", "jdbc:mysql://db/yizhan")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("db-url (YIZHAN_DB_URL): ");
    }

    @Test
    void deadBandsAreOnByDefaultAndEachIsReadOrRefusedByName() throws Exception {
        DeadBands d = HubConfig.defaults().timeSeries().deadBands();
        assertThat(d).isEqualTo(DeadBands.DEFAULTS);
        assertThat(d.on()).isTrue();
        HubConfig c = HubConfig.load(Optional.empty(), Map.of("YIZHAN_TS_UNCHANGED_WRITE_SECONDS", "300",
                "YIZHAN_TS_DEADBAND_POWER_W", "5", "YIZHAN_TS_DEADBAND_ENERGY_WH", "0.5",
                "YIZHAN_TS_DEADBAND_TEMP_C", "0", "YIZHAN_TS_DEADBAND_HUMIDITY", "2.5"));
        assertThat(c.timeSeries().deadBands()).isEqualTo(new DeadBands(300_000, 5, 0.5, 0, 2.5));
        assertThat(HubConfig.load(Optional.empty(), Map.of("YIZHAN_TS_UNCHANGED_WRITE_SECONDS", "0"))
                .timeSeries().deadBands().on()).isFalse();
        for (String bad : List.of("-1", "1e3", "NaN", "Infinity", "0x10", ".5", "1.", "2,5", "1000000")) {
            assertThatThrownBy(() -> HubConfig.load(Optional.empty(), Map.of("YIZHAN_TS_DEADBAND_POWER_W", bad)))
                    .as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("ts-deadband-power-w (YIZHAN_TS_DEADBAND_POWER_W): ");
        }
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(), Map.of("YIZHAN_TS_UNCHANGED_WRITE_SECONDS", "86401")))
                .hasMessageContaining("ts-unchanged-write-seconds (YIZHAN_TS_UNCHANGED_WRITE_SECONDS): 86401 must be 0 to 86400");
    }

    @Test
    void theMqttEndpointTakesAnEventsPayloadOfTheContractsSize() throws Exception {
        assertThat(HubConfig.defaults().mqttMaxMessageBytes()).isGreaterThan(Limits.BATCH_BYTES);
        assertThat(HubConfig.load(Optional.empty(), Map.of("YIZHAN_MQTT_MAX_MESSAGE_BYTES", "1048576"))
                .mqttMaxMessageBytes()).isEqualTo(1_048_576);
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(),
                Map.of("YIZHAN_MQTT_MAX_MESSAGE_BYTES", String.valueOf(Limits.BATCH_BYTES))))
                .hasMessageContaining("mqtt-max-message-bytes");
    }

    @Test
    void readsTheMqttConnectLimitsAndRefusesBadOnesNamingTheSetting() throws Exception {
        HubConfig d = HubConfig.load(Optional.empty(), Map.of());
        assertThat(d.mqttConnectLimits().timeoutSeconds()).isEqualTo(5);
        assertThat(d.mqttConnectLimits().perSecondPerAddress()).isEqualTo(5);
        assertThat(d.mqttConnectLimits().burstPerAddress()).isEqualTo(50);
        assertThat(d.mqttConnectLimits().exempt().contains("127.0.0.1")).as("loopback is exempt by default").isTrue();
        assertThat(d.mqttConnectLimits().exempt().contains("::1")).isTrue();
        assertThat(d.mqttConnectLimits().exempt().contains("127.0.0.2")).isFalse();

        HubConfig c = HubConfig.load(Optional.empty(), Map.of("YIZHAN_MQTT_CONNECT_TIMEOUT_SECONDS", "2",
                "YIZHAN_MQTT_CONNECTS_PER_SECOND_PER_ADDRESS", "20", "YIZHAN_MQTT_CONNECT_BURST_PER_ADDRESS", "500",
                "YIZHAN_MQTT_CONNECT_LIMIT_EXEMPT", "10.1.0.0/16"));
        assertThat(c.mqttEndpoint().connectLimits()).isSameAs(c.mqttConnectLimits());
        assertThat(c.mqttConnectLimits().timeoutSeconds()).isEqualTo(2);
        assertThat(c.mqttConnectLimits().perSecondPerAddress()).isEqualTo(20);
        assertThat(c.mqttConnectLimits().burstPerAddress()).isEqualTo(500);
        assertThat(c.mqttConnectLimits().exempt().contains("10.1.2.3")).isTrue();
        assertThat(c.mqttConnectLimits().exempt().contains("127.0.0.1")).isFalse();
        assertThat(c.withDemoStations(1).mqttConnectLimits().exempt().contains("10.1.2.3"))
                .as("kept through a change of another setting").isTrue();

        HubConfig none = HubConfig.load(Optional.empty(), Map.of("YIZHAN_MQTT_CONNECT_LIMIT_EXEMPT", "none"));
        assertThat(none.mqttConnectLimits().exempt().isEmpty()).isTrue();
        assertThat(none.withDemoStations(1).mqttConnectLimits().exempt().isEmpty()).isTrue();

        assertThatThrownBy(() -> HubConfig.load(Optional.empty(), Map.of("YIZHAN_MQTT_CONNECT_TIMEOUT_SECONDS", "0")))
                .hasMessageStartingWith("mqtt-connect-timeout-seconds (YIZHAN_MQTT_CONNECT_TIMEOUT_SECONDS): 0 must be");
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(),
                Map.of("YIZHAN_MQTT_CONNECTS_PER_SECOND_PER_ADDRESS", "many")))
                .hasMessageContaining("mqtt-connects-per-second-per-address");
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(), Map.of("YIZHAN_MQTT_CONNECT_BURST_PER_ADDRESS", "0")))
                .hasMessageContaining("mqtt-connect-burst-per-address");
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(),
                Map.of("YIZHAN_MQTT_CONNECT_LIMIT_EXEMPT", "localhost")))
                .hasMessageContaining("mqtt-connect-limit-exempt (YIZHAN_MQTT_CONNECT_LIMIT_EXEMPT): 'localhost' is not");
    }
}
