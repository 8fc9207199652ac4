package org.yizhan.e2e;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.testing.TestHub;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The agent's and the hub's Debian packages, as the build makes them: their contents, an install into a scratch Debian
 * root with dpkg (maintainer scripts run against that root: {@code --force-script-chrootless}), a reinstall, a remove
 * and a purge that all keep the station's or the hub's data. The installed agent provisions a station from a claim file
 * through the first-boot script and runs in simulate mode until the hub sees it online; the installed hub starts on
 * its packaged settings and answers.
 */
@ExtendWith(VertxExtension.class)
class DebianPackagesIT {

    private static final Path DPKG = Path.of("/usr/bin/dpkg");

    @TempDir
    Path tmp;
    private Process agent;
    private TestHub hub;

    @AfterEach
    void stop() throws Exception {
        if (agent != null) {
            agent.destroy();
            if (!agent.waitFor(30, TimeUnit.SECONDS)) {
                agent.destroyForcibly();
            }
        }
        if (hub != null) {
            hub.close();
        }
    }

    private static Path deb(String module, String name) throws Exception {
        try (Stream<Path> files = Files.list(Path.of("..", module, "target"))) {
            return files.filter(p -> p.getFileName().toString().matches(name + "_.*_all\\.deb")).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + name + "_*_all.deb in " + module + "/target: "
                            + "the " + module + " module builds it in its package phase"));
        }
    }

    /** A scratch Debian root: dpkg's database, the base users, a Pi's boot partition. */
    private Path scratchRoot() throws Exception {
        Path root = tmp.resolve("root");
        for (String d : List.of("var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers", "etc",
                "boot/firmware")) {
            Files.createDirectories(root.resolve(d));
        }
        Files.writeString(root.resolve("var/lib/dpkg/status"), "");
        Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        Files.writeString(root.resolve("etc/group"), "root:x:0:\n");
        Files.writeString(root.resolve("boot/firmware/config.txt"), "# Raspberry Pi\ndtparam=audio=on\n");
        return root;
    }

    /** Runs a command; its output (stdout and stderr), failing the test when it does not exit 0. */
    private String run(Map<String, String> env, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).as(String.join(" ", command)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + "\n" + out).isZero();
        return out;
    }

    private String dpkg(Path root, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(DPKG.toString(), "--root=" + root,
                "--force-script-chrootless", "--force-depends", "--force-not-root", "--log=/dev/null"));
        command.addAll(List.of(args));
        return run(Map.of(), command.toArray(String[]::new));
    }

    @Test
    void installsIntoADebianRootKeepsTheStateAndProvisionsAStationThatGoesOnline(Vertx vertx) throws Exception {
        assumeTrue(Files.isExecutable(DPKG), "dpkg is not installed");
        Path deb = deb("station-agent", "yizhan-agent");

        String info = run(Map.of(), "dpkg-deb", "--info", deb.toString());
        assertThat(info).contains("Package: yizhan-agent", "Architecture: all", "java17-runtime-headless",
                "Recommends: cage, chromium, ffmpeg");
        String contents = run(Map.of(), "dpkg-deb", "--contents", deb.toString());
        assertThat(contents).contains("./opt/yizhan/yizhan-agent.jar", "-rwxr-xr-x root/root",
                "./usr/bin/yizhan-agent", "./lib/systemd/system/yizhan-agent.service",
                "./lib/systemd/system/yizhan-firstboot.service", "./lib/systemd/system/yizhan-kiosk.service",
                "./usr/lib/yizhan/yizhan-firstboot.sh", "./usr/lib/sysusers.d/yizhan-agent.conf",
                "./usr/share/yizhan-agent/yizhan.txt", "./usr/share/bash-completion/completions/yizhan-agent");

        Path root = scratchRoot(); // with a station already there
        Path state = Files.createDirectories(root.resolve("var/lib/yizhan-agent")).resolve("outbox.db");
        Files.writeString(state, "events not yet sent");

        dpkg(root, "--install", deb.toString());
        assertThat(root.resolve("opt/yizhan/yizhan-agent.jar")).isRegularFile();
        assertThat(Files.isExecutable(root.resolve("usr/bin/yizhan-agent"))).isTrue();
        String passwd = Files.readString(root.resolve("etc/passwd"));
        assertThat(passwd).contains("yizhan-agent:", "yizhan-kiosk:");
        List<String> groups = Files.readAllLines(root.resolve("etc/group"));
        for (String g : List.of("gpio", "i2c", "video", "dialout")) {
            assertThat(groups).as("group " + g).anyMatch(l -> l.startsWith(g + ":") && l.contains("yizhan-agent"));
        }
        assertThat(Files.readString(root.resolve("boot/firmware/yizhan.txt")))
                .contains("dtparam=i2c_arm=on", "dtoverlay=w1-gpio");
        Path firstboot = root.resolve("etc/systemd/system/multi-user.target.wants/yizhan-firstboot.service");
        assertThat(Files.isSymbolicLink(firstboot)).as("first boot enabled").isTrue();
        assertThat(Files.readSymbolicLink(firstboot)).hasToString("/lib/systemd/system/yizhan-firstboot.service");

        assertCompletionIsTheInstalledCommands(root, "yizhan-agent", Map.of("YIZHAN_AGENT_JAR",
                root.resolve("opt/yizhan/yizhan-agent.jar").toString(), "YIZHAN_AGENT_DIR", tmp.resolve("none").toString()));
        assertThat(complete(root, "yizhan-agent", "sel")).containsExactly("selftest");
        assertThat(complete(root, "yizhan-agent", "config", "")).containsExactly("validate");

        dpkg(root, "--install", deb.toString()); // the same package again, as an upgrade would
        assertThat(Files.readAllLines(root.resolve("boot/firmware/config.txt")))
                .as("config.txt includes yizhan.txt once").containsOnlyOnce("include yizhan.txt")
                .contains("dtparam=audio=on");

        // the installed files provision a station from a claim file and run it until the hub sees it
        hub = TestHub.start(vertx, tmp.resolve("hub"));
        JsonObject created = hub.createStation(hub.adminToken(), TestHub.station("Package station"));
        String stationId = created.getJsonObject("station").getString("id");
        Path provisionFile = tmp.resolve("yizhan-provision.txt");
        Files.writeString(provisionFile, "HUB_URL=" + hub.url("") + "\r\nCLAIM_CODE=" + created.getString("claimCode")
                + "\r\n");
        Path agentDir = tmp.resolve("agent");
        Map<String, String> env = Map.of(
                "YIZHAN_AGENT_JAR", root.resolve("opt/yizhan/yizhan-agent.jar").toString(),
                "YIZHAN_PROVISION_FILE", provisionFile.toString(),
                "YIZHAN_AGENT_BIN", root.resolve("usr/bin/yizhan-agent").toString(),
                "YIZHAN_AGENT_DIR", agentDir.toString(),
                "YIZHAN_AGENT_USER", "",
                "YIZHAN_SYSTEMCTL", "true",
                "YIZHAN_ATTEMPTS", "3",
                "YIZHAN_RETRY_MAX_S", "2");
        run(env, "bash", root.resolve("usr/lib/yizhan/yizhan-firstboot.sh").toString());
        assertThat(agentDir.resolve("config.json")).isRegularFile();
        assertThat(Files.readString(provisionFile)).as("the claim code is gone from the card")
                .doesNotContain(created.getString("claimCode"));

        ProcessBuilder pb = new ProcessBuilder(root.resolve("usr/bin/yizhan-agent").toString(), "run", "--dir",
                agentDir.toString(), "--simulate").redirectErrorStream(true)
                .redirectOutput(tmp.resolve("agent.log").toFile());
        pb.environment().put("YIZHAN_AGENT_JAR", root.resolve("opt/yizhan/yizhan-agent.jar").toString());
        pb.environment().put("YIZHAN_AGENT_HTTP_PORT", "0");
        agent = pb.start();
        await("the packaged agent online").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    assertThat(agent.isAlive()).as(() -> readQuietly(tmp.resolve("agent.log"))).isTrue();
                    return hub.app().mqtt().isConnected(stationId);
                });

        agent.destroy(); // SIGTERM, as systemd stops it
        assertThat(agent.waitFor(30, TimeUnit.SECONDS)).as("the agent stops on SIGTERM").isTrue();
        agent = null;

        dpkg(root, "--remove", "yizhan-agent");
        assertThat(root.resolve("opt/yizhan/yizhan-agent.jar")).doesNotExist();
        Path mask = root.resolve("etc/systemd/system/yizhan-firstboot.service");
        assertThat(Files.isSymbolicLink(mask) && Files.readSymbolicLink(mask).toString().equals("/dev/null"))
                .as("first boot masked once the package is removed: its leftover link starts nothing").isTrue();
        dpkg(root, "--install", deb.toString()); // installed again: enabled as it was
        assertThat(mask).as("unmasked").doesNotExist();
        assertThat(Files.isSymbolicLink(firstboot)).as("first boot enabled again").isTrue();
        dpkg(root, "--remove", "yizhan-agent");
        dpkg(root, "--purge", "yizhan-agent");
        try (var links = Files.walk(root.resolve("etc/systemd/system"))) {
            assertThat(links.filter(f -> f.getFileName().toString().startsWith("yizhan-")).toList())
                    .as("no unit of the package is enabled or masked after a purge").isEmpty();
        }
        assertThat(Files.readString(state)).as("the station's state outlives a purge").isEqualTo("events not yet sent");
    }

    /** The JVM options a unit file sets in its {@code Environment="JAVA_OPTS=..."} line. */
    private static List<String> javaOpts(Path unit) throws java.io.IOException {
        String prefix = "Environment=\"JAVA_OPTS=";
        String line = Files.readAllLines(unit).stream().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError(unit + " sets no JAVA_OPTS"));
        return List.of(line.substring(prefix.length(), line.lastIndexOf('"')).trim().split("\\s+"));
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (Exception e) {
            return "(" + e.getMessage() + ")";
        }
    }

    @Test
    void hubInstallsKeepsTheOperatorsSettingsAndItsDataAndStartsOnThem() throws Exception {
        assumeTrue(Files.isExecutable(DPKG), "dpkg is not installed");
        Path deb = deb("hub-server", "yizhan-hub");
        String info = run(Map.of(), "dpkg-deb", "--info", deb.toString());
        assertThat(info).contains("Package: yizhan-hub", "Architecture: all", "java17-runtime-headless", "conffiles");
        assertThat(run(Map.of(), "dpkg-deb", "--contents", deb.toString())).contains("./opt/yizhan/yizhan-hub.jar",
                "./lib/systemd/system/yizhan-hub.service", "./lib/systemd/system/yizhan-hub-backup.timer",
                "./usr/lib/sysusers.d/yizhan-hub.conf", "./etc/yizhan/hub.json", "./usr/bin/yizhan-hub",
                "./usr/share/bash-completion/completions/yizhan-hub");

        Path root = scratchRoot();
        Path data = Files.createDirectories(root.resolve("var/lib/yizhan-hub")).resolve("registry.mv.db");
        Files.writeString(data, "the stations");
        String out = dpkg(root, "--install", deb.toString());
        assertThat(out).contains("systemctl enable --now yizhan-hub.service");
        assertThat(Files.readString(root.resolve("etc/passwd"))).contains("yizhan-hub:");
        assertCompletionIsTheInstalledCommands(root, "yizhan-hub",
                Map.of("YIZHAN_HUB_JAR", root.resolve("opt/yizhan/yizhan-hub.jar").toString()));
        assertThat(complete(root, "yizhan-hub", "update", "")).containsExactlyInAnyOrder("keygen", "sign", "verify");
        assertThat(complete(root, "yizhan-hub", "backup", "--k")).containsExactly("--keep");
        Path settings = root.resolve("etc/yizhan/hub.json");
        JsonObject site = new JsonObject(Files.readString(settings)).put("public-mqtt-host", "hub.union.example");
        Files.writeString(settings, site.encodePrettily());
        dpkg(root, "--install", deb.toString()); // an upgrade keeps what the operator set
        assertThat(new JsonObject(Files.readString(settings)).getString("public-mqtt-host"))
                .isEqualTo("hub.union.example");

        // the installed jar starts on the packaged settings and with the unit's JVM flags (ports and data moved by
        // environment, as hub.env may): a flag this JVM does not know would stop the service at start
        List<String> unitFlags = javaOpts(root.resolve("lib/systemd/system/yizhan-hub.service"));
        assertThat(unitFlags).contains("-Xmx512m", "-XX:+UseSerialGC", "-XX:TrimNativeHeapInterval=30000");
        Path dataDir = tmp.resolve("hub-data");
        Map<String, String> env = new java.util.HashMap<>();
        env.put("YIZHAN_DATA_DIR", dataDir.toString());
        env.put("YIZHAN_HTTP_HOST", "127.0.0.1");
        env.put("YIZHAN_HTTP_PORT", "0");
        env.put("YIZHAN_MQTT_HOST", "127.0.0.1");
        env.put("YIZHAN_MQTT_PORT", "0");
        env.put("YIZHAN_ADMIN_PASSWORD", TestHub.ADMIN_PASSWORD);
        try (org.yizhan.testing.Proc hubProc = org.yizhan.testing.Proc.start("packaged-hub",
                root.resolve("opt/yizhan/yizhan-hub.jar"), unitFlags, List.of("run", "--config", settings.toString()),
                env, tmp.resolve("logs"))) {
            JsonObject ports = org.yizhan.testing.Proc.awaitPorts(dataDir, hubProc);
            java.net.http.HttpResponse<String> live = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + ports.getInteger("http")
                            + "/health/live")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(live.statusCode()).as(live.body()).isEqualTo(200);
        }

        // the operator enables the hub (systemctl enable, here as the links it makes); a removal keeps that for a
        // reinstall, a purge takes the links away with the units
        Path wanted = Files.createDirectories(root.resolve("etc/systemd/system/multi-user.target.wants"))
                .resolve("yizhan-hub.service");
        Files.createSymbolicLink(wanted, Path.of("/lib/systemd/system/yizhan-hub.service"));
        dpkg(root, "--remove", "yizhan-hub");
        assertThat(Files.isSymbolicLink(wanted)).as("enabled still, for a reinstall").isTrue();
        dpkg(root, "--purge", "yizhan-hub");
        assertThat(Files.isSymbolicLink(wanted)).as("a purge removes the operator's link").isFalse();
        assertThat(root.resolve("opt/yizhan/yizhan-hub.jar")).doesNotExist();
        assertThat(settings).as("a purge removes the settings").doesNotExist();
        assertThat(Files.readString(data)).as("the hub's data outlives a purge").isEqualTo("the stations");
    }

    /**
     * Debian's own package checker finds no error and no warning in either package (what it flags and the project
     * accepts is named, with the reason, in {@code deploy/debian/*.lintian-overrides}, shipped in the packages).
     */
    @Test
    void lintianFindsNoErrorOrWarning() throws Exception {
        Path lintian = Path.of("/usr/bin/lintian");
        assumeTrue(Files.isExecutable(lintian), "lintian is not installed (.ci/run installs it)");
        for (String[] pkg : List.of(new String[] {"station-agent", "yizhan-agent"},
                new String[] {"hub-server", "yizhan-hub"})) {
            Path deb = deb(pkg[0], pkg[1]);
            ProcessBuilder pb = new ProcessBuilder(lintian.toString(), "--fail-on", "error,warning", deb.toString())
                    .redirectErrorStream(true);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(300, TimeUnit.SECONDS)).as("lintian " + pkg[1]).isTrue();
            assertThat(p.exitValue()).as("lintian " + pkg[1] + ":\n" + out).isZero();
            assertThat(out).as("lintian " + pkg[1]).doesNotContainPattern("(?m)^[EW]: ");
        }
    }

    /** The packaged bash completion is the one the installed command prints: it knows the installed commands. */
    private void assertCompletionIsTheInstalledCommands(Path root, String command, Map<String, String> env)
            throws Exception {
        Path bin = root.resolve("usr/bin").resolve(command);
        assertThat(Files.isExecutable(bin)).as(bin.toString()).isTrue();
        String printed = run(env, bin.toString(), "completion");
        assertThat(Files.readString(root.resolve("usr/share/bash-completion/completions").resolve(command)))
                .isEqualTo(printed).contains("complete -F _complete_" + command);
    }

    /** What bash offers for the last of {@code words} with the installed completion, as bash-completion calls it. */
    private List<String> complete(Path root, String... words) throws Exception {
        Path script = root.resolve("usr/share/bash-completion/completions").resolve(words[0]);
        StringBuilder w = new StringBuilder();
        for (String word : words) {
            w.append(" '").append(word).append('\'');
        }
        String line = String.join(" ", words);
        // compopt works only while bash runs a completion for the line being typed; here it would only complain
        String program = "compopt() { return 0; }\nsource '" + script + "'\nCOMP_WORDS=(" + w + " )\nCOMP_CWORD="
                + (words.length - 1) + "\nCOMP_LINE='" + line + "'\nCOMP_POINT=${#COMP_LINE}\n_complete_" + words[0]
                + " '" + words[0] + "' '" + words[words.length - 1] + "' '"
                + (words.length > 1 ? words[words.length - 2] : "") + "'\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n";
        return run(Map.of(), "bash", "--norc", "--noprofile", "-c", program).lines().filter(l -> !l.isBlank())
                .map(String::strip).toList();
    }
}
