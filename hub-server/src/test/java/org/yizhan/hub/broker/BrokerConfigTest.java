package org.yizhan.hub.broker;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.hub.HubConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The broker-mode settings: what a hub needs to be a broker's client, refused by name when wrong or misplaced. */
class BrokerConfigTest {

    @TempDir
    Path dir;

    private static Map<String, String> broker(String... more) {
        Map<String, String> env = new HashMap<>(Map.of("YIZHAN_MQTT_MODE", "broker",
                "YIZHAN_MQTT_BROKER_URL", "mqtt://mosquitto:1884",
                "YIZHAN_MQTT_BROKER_USERNAME", "hub",
                "YIZHAN_MQTT_BROKER_PASSWORD", "s3cret-broker-pw"));
        for (int i = 0; i + 1 < more.length; i += 2) {
            env.put(more[i], more[i + 1]);
        }
        return env;
    }

    @Test
    void embeddedIsTheDefaultAndHasNoBroker() throws Exception {
        HubConfig c = HubConfig.load(Optional.empty(), Map.of());
        assertThat(c.mqttMode()).isEqualTo("embedded");
        assertThat(c.broker()).isEmpty();
        assertThat(c.mqttEndpoint().broker()).isEmpty();
    }

    @Test
    void brokerModeReadsUrlUserAndGroupAndNeverShowsThePassword() throws Exception {
        HubConfig c = HubConfig.load(Optional.empty(), broker("YIZHAN_MQTT_SHARED_GROUP", "hubs-east",
                "YIZHAN_MQTT_BROKER_DYNSEC", "true"));
        BrokerSettings b = c.broker().orElseThrow();
        assertThat(b.host()).isEqualTo("mosquitto");
        assertThat(b.port()).isEqualTo(1884);
        assertThat(b.tls()).isFalse();
        assertThat(b.username()).isEqualTo("hub");
        assertThat(b.sharedGroup()).isEqualTo("hubs-east");
        assertThat(b.dynsec()).isTrue();
        assertThat(c.toString()).contains("mqtt://mosquitto:1884").doesNotContain("s3cret-broker-pw");
        assertThat(c.published().publicMqttHost()).as("stations are sent to the broker").isEqualTo("mosquitto");
    }

    @Test
    void mqttsDefaultsToPort8883AndTellsStationsToUseTls() throws Exception {
        HubConfig c = HubConfig.load(Optional.empty(), broker("YIZHAN_MQTT_BROKER_URL", "mqtts://broker.example",
                "YIZHAN_PUBLIC_MQTT_HOST", "mqtt.example.org"));
        assertThat(c.broker().orElseThrow().port()).isEqualTo(8883);
        assertThat(c.broker().orElseThrow().tls()).isTrue();
        assertThat(c.published().mqttTls()).isTrue();
        assertThat(c.published().publicMqttHost()).isEqualTo("mqtt.example.org");
    }

    @Test
    void refusesAnUnknownMode() {
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(), Map.of("YIZHAN_MQTT_MODE", "cluster")))
                .hasMessageContaining("mqtt-mode (YIZHAN_MQTT_MODE)").hasMessageContaining("embedded")
                .hasMessageContaining("broker");
    }

    @Test
    void brokerModeNeedsUrlUserAndPassword() {
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(), Map.of("YIZHAN_MQTT_MODE", "broker")))
                .hasMessageContaining("mqtt-broker-url (YIZHAN_MQTT_BROKER_URL)");
        Map<String, String> noUser = broker();
        noUser.remove("YIZHAN_MQTT_BROKER_USERNAME");
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(), noUser))
                .hasMessageContaining("mqtt-broker-username (YIZHAN_MQTT_BROKER_USERNAME)");
        Map<String, String> noPassword = broker();
        noPassword.remove("YIZHAN_MQTT_BROKER_PASSWORD");
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(), noPassword))
                .hasMessageContaining("mqtt-broker-password (YIZHAN_MQTT_BROKER_PASSWORD)");
    }

    @Test
    void refusesBadUrlsWithoutEchoingCredentials() {
        for (String bad : new String[]{"http://mosquitto:1883", "mqtt://", "mqtt://mosquitto:1883/topic",
                "mosquitto:1883", "mqtt://mosquitto:1883?x=1"}) {
            assertThatThrownBy(() -> HubConfig.load(Optional.empty(), broker("YIZHAN_MQTT_BROKER_URL", bad)))
                    .as(bad).hasMessageContaining("mqtt-broker-url (YIZHAN_MQTT_BROKER_URL)");
        }
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(),
                broker("YIZHAN_MQTT_BROKER_URL", "mqtt://hub:pw-in-url@mosquitto:1883")))
                .hasMessageContaining("may not hold a user name or password").message().doesNotContain("pw-in-url");
    }

    @Test
    void refusesABadSharedGroup() {
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(), broker("YIZHAN_MQTT_SHARED_GROUP", "a/b+")))
                .hasMessageContaining("mqtt-shared-group (YIZHAN_MQTT_SHARED_GROUP)");
    }

    @Test
    void refusesBrokerSettingsInEmbeddedModeAndEndpointTlsInBrokerMode() {
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(), Map.of("YIZHAN_MQTT_BROKER_URL", "mqtt://m:1883")))
                .hasMessageContaining("mqtt-broker-url (YIZHAN_MQTT_BROKER_URL) not used with mqtt-mode=embedded");
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(), Map.of("YIZHAN_MQTT_BROKER_DYNSEC", "true")))
                .hasMessageContaining("mqtt-broker-dynsec");
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(), broker("YIZHAN_MQTT_TLS", "true",
                "YIZHAN_TLS_CERT", "x", "YIZHAN_TLS_KEY", "y")))
                .hasMessageContaining("mqtt-tls");
    }

    @Test
    void theHookTokenIsLongEnoughNeverShownAndOnlyForBrokerMode() throws Exception {
        HubConfig c = HubConfig.load(Optional.empty(), broker("YIZHAN_MQTT_BROKER_HOOK_TOKEN",
                "hook-token-0123456789"));
        assertThat(c.mqttBrokerHookToken()).contains("hook-token-0123456789");
        assertThat(c.toString()).contains("brokerHooks=token ***").doesNotContain("hook-token-0123456789");
        assertThat(HubConfig.load(Optional.empty(), broker()).mqttBrokerHookToken()).isEmpty();
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(), broker("YIZHAN_MQTT_BROKER_HOOK_TOKEN", "short")))
                .hasMessageContaining("mqtt-broker-hook-token (YIZHAN_MQTT_BROKER_HOOK_TOKEN)")
                .hasMessageContaining("at least 16");
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(), broker("YIZHAN_MQTT_BROKER_HOOK_TOKEN",
                "has a space in the middle"))).hasMessageContaining("without spaces");
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(), Map.of("YIZHAN_MQTT_BROKER_HOOK_TOKEN",
                "hook-token-0123456789"))).hasMessageContaining("mqtt-broker-hook-token")
                .hasMessageContaining("not used with mqtt-mode=embedded");
    }

    @Test
    void theCaIsOnlyForMqttsAndMustHoldACertificate() throws Exception {
        Path notPem = dir.resolve("ca.pem");
        Files.writeString(notPem, "not a certificate");
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(), broker("YIZHAN_MQTT_BROKER_CA", notPem.toString())))
                .hasMessageContaining("mqtt-broker-ca").hasMessageContaining("mqtts");
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(), broker("YIZHAN_MQTT_BROKER_URL", "mqtts://b:8883",
                "YIZHAN_MQTT_BROKER_CA", notPem.toString())))
                .hasMessageContaining("mqtt-broker-ca");
    }

    @Test
    void aFileWithBrokerKeysIsAccepted() throws Exception {
        Path file = dir.resolve("hub.json");
        Files.writeString(file, """
                {"mqtt-mode": "broker", "mqtt-broker-url": "mqtt://127.0.0.1:1883", "mqtt-broker-username": "hub",
                 "mqtt-shared-group": "g1", "mqtt-broker-dynsec": true}""");
        HubConfig c = HubConfig.load(Optional.of(file), Map.of("YIZHAN_MQTT_BROKER_PASSWORD", "pw"));
        assertThat(c.broker().orElseThrow().sharedGroup()).isEqualTo("g1");
        assertThat(c.withDataDir(dir).broker()).as("kept by with()").isPresent();
    }
}
