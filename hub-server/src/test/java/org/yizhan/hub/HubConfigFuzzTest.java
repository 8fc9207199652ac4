package org.yizhan.hub;

import io.vertx.core.json.JsonObject;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;
import org.yizhan.testing.fuzz.Corpus;
import org.yizhan.testing.fuzz.Mutations;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Fuzzing the hub's settings file: any text is settings or an {@link IllegalArgumentException} that names the file
 * or the setting, and no refusal repeats a password or token from the file. Seeds in
 * {@code src/test/resources/fuzz/hub-config/}.
 */
class HubConfigFuzzTest {

    private static final Corpus CORPUS = Corpus.load("hub-config");
    private static final List<String> SECRETS = List.of("admin-password", "db-password", "mqtt-broker-password",
            "metrics-token", "mqtt-broker-hook-token");
    private static Path dir;

    @BeforeContainer
    static void makeDir() throws IOException {
        dir = Files.createTempDirectory("hub-config-fuzz");
    }

    @AfterContainer
    static void removeDir() throws IOException {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(dir);
    }

    @Provide
    Arbitrary<String> files() {
        return Mutations.textOf(CORPUS);
    }

    @Property
    void anySettingsFileIsReadOrRefusedByName(@ForAll("files") String text) throws IOException {
        Path file = dir.resolve("hub.json");
        Files.writeString(file, text);
        try {
            HubConfig c = HubConfig.load(Optional.of(file), Map.of());
            assertThat(c).isNotNull();
            Statistics.label("outcome").collect("read");
        } catch (IllegalArgumentException e) {
            Statistics.label("outcome").collect("refused");
            // short, but for the list of known settings an unknown one is answered with
            String refusal = e.getMessage().replaceFirst("; known are \\[.*\\]$", "");
            assertThat(refusal).as("refusal").isNotBlank().hasSizeLessThan(600);
            for (String secret : secretsIn(text)) {
                assertThat(refusal).as("refusal repeats a secret").doesNotContain(secret);
            }
        } catch (RuntimeException | StackOverflowError e) {
            fail("loading threw " + e + " for: " + text, e);
        }
        Statistics.label("outcome").coverage(c -> c.check("read").percentage(p -> p >= 1));
    }

    /** Found by the property above: a name too long for the file system was echoed whole, twice. */
    @Example
    void aFileNameTooLongIsRefusedWithoutRepeatingIt() throws IOException {
        String name = "ca-" + "x".repeat(400) + ".pem";
        Path file = dir.resolve("hub.json");
        Files.writeString(file, new JsonObject().put("tls-ca", dir.resolve(name).toString()).encode());
        try {
            HubConfig.load(Optional.of(file), Map.of());
            fail("a tls-ca file that cannot exist was taken");
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).startsWith("tls-ca").doesNotContain(name).hasSizeLessThan(600);
        }
    }

    /**
     * The values of secret settings in the text, when it is JSON, they are long enough to recognise and no other
     * setting's name or value holds them (a refusal may rightly repeat those).
     */
    private static List<String> secretsIn(String text) {
        JsonObject o;
        try {
            o = new JsonObject(text);
        } catch (RuntimeException notJson) {
            return List.of();
        }
        List<String> others = new java.util.ArrayList<>(o.fieldNames());
        o.fieldNames().stream().filter(k -> !SECRETS.contains(k)).map(k -> String.valueOf(o.getValue(k)))
                .forEach(others::add);
        return SECRETS.stream().map(o::getValue).filter(v -> v != null && String.valueOf(v).length() >= 8)
                .map(String::valueOf).filter(v -> others.stream().noneMatch(other -> other.contains(v))).toList();
    }
}
