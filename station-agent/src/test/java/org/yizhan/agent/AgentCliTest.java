package org.yizhan.agent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The technician CLI's parsing, help and errors, and its bash completion run in a real bash. */
class AgentCliTest {

    @TempDir
    Path tmp;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final List<String> ran = new ArrayList<>();

    private int cli(Map<String, String> env, String... args) {
        out.reset();
        err.reset();
        return AgentCli.commandLine(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), env, (dir, simulate) -> {
                    ran.add(dir + (simulate ? " simulated" : ""));
                    return 0;
                }).execute(args);
    }

    private int cli(String... args) {
        return cli(Map.of(), args);
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void runTakesTheDirFromTheOptionElseTheEnvironmentElseTheDefault() {
        assertThat(cli("run", "--dir", "/tmp/a", "--simulate")).isZero();
        assertThat(cli(Map.of("YIZHAN_AGENT_DIR", "/tmp/env"), "run")).isZero();
        assertThat(cli(Map.of("YIZHAN_AGENT_DIR", "/tmp/env"), "run", "--dir=/tmp/b")).isZero();
        assertThat(cli("run")).isZero();
        assertThat(ran).containsExactly("/tmp/a simulated", "/tmp/env", "/tmp/b", "/var/lib/yizhan-agent");
    }

    @Test
    void helpGoesToStdoutWithStatus0AndNamesEveryCommand() {
        assertThat(cli("--help")).isZero();
        assertThat(stdout()).contains("Usage: yizhan-agent", "provision", "run", "status", "selftest", "config",
                "completion", "$YIZHAN_AGENT_DIR", "$YIZHAN_AGENT_HTTP_PORT");
        assertThat(cli("help", "provision")).isZero();
        assertThat(stdout()).contains("--hub=URL", "--code=CODE", "--ca=FILE", "--dir=DIR");
        assertThat(cli("config", "validate", "--help")).isZero();
        assertThat(stdout()).contains("Usage: yizhan-agent config validate", "FILE");
        assertThat(cli("--version")).isZero();
        assertThat(stdout()).startsWith("yizhan-agent ");
        assertThat(ran).as("help runs nothing").isEmpty();
    }

    @Test
    void noCommandIsAnErrorWithTheUsageOnStderr() {
        assertThat(cli()).isEqualTo(2);
        assertThat(stderr()).contains("Error: Missing required subcommand", "Usage: yizhan-agent");
        assertThat(stdout()).isEmpty();
    }

    @Test
    void unknownCommandIsStatus2AndSuggestsTheNearOnes() {
        assertThat(cli("sefltest")).isEqualTo(2);
        assertThat(stderr()).contains("Error: Unmatched argument at index 0: 'sefltest'")
                .contains("Did you mean: yizhan-agent selftest");
    }

    @Test
    void unknownOptionIsStatus2AndNamesIt() {
        assertThat(cli("status", "--bogus")).isEqualTo(2);
        assertThat(stderr()).contains("Error: Unknown option: '--bogus'", "Usage: yizhan-agent status");
        assertThat(cli("selftest", "--simulate")).as("only run simulates").isEqualTo(2);
        assertThat(stderr()).contains("'--simulate'");
    }

    @Test
    void missingValueIsStatus2AndNamesTheOption() {
        assertThat(cli("provision", "--hub")).isEqualTo(2);
        assertThat(stderr()).contains("Error: Missing required parameter for option '--hub' (URL)",
                "Usage: yizhan-agent provision");
        assertThat(cli("provision", "--hub", "--code", "X")).as("an option is no value").isEqualTo(2);
        assertThat(stderr()).contains("'--hub'");
        assertThat(cli("provision", "--hub", "http://hub")).isEqualTo(2);
        assertThat(stderr()).contains("give --hub URL and --code CODE, or --from-camera");
        assertThat(cli("config", "validate")).isEqualTo(2);
        assertThat(stderr()).contains("Missing required parameter: 'FILE'");
        assertThat(cli("config")).isEqualTo(2);
        assertThat(stderr()).contains("Missing required subcommand", "validate");
        assertThat(cli("status", "extra")).isEqualTo(2);
        assertThat(stderr()).contains("'extra'");
    }

    @Test
    void provisionFromCameraTakesNoCodeAndSaysWhichCameraIsMissing() {
        Path dir = tmp.resolve("state");
        assertThat(cli("provision", "--from-camera", "--code", "ABCDE-23456", "--dir", dir.toString()))
                .as("the claim QR carries the code").isEqualTo(2);
        assertThat(stderr()).contains("--code and --from-camera do not go together");
        assertThat(cli("provision", "--from-camera", "--timeout", "0", "--dir", dir.toString())).isEqualTo(2);
        assertThat(cli("provision", "--from-camera", "--hub", "hub.example.org", "--dir", dir.toString()))
                .isEqualTo(2);
        assertThat(stderr()).contains("not an http:// or https:// address");
        assertThat(cli(Map.of("YIZHAN_CAMERA", "csi:99"), "provision", "--from-camera", "--dir", dir.toString()))
                .isEqualTo(2);
        assertThat(stderr()).contains("csi:0 to csi:7");
        assertThat(cli(Map.of("YIZHAN_CAMERA", tmp.resolve("video9").toString()), "provision", "--from-camera",
                "--dir", dir.toString())).isEqualTo(1);
        assertThat(stderr()).contains("no camera " + tmp.resolve("video9"));
        assertThat(dir.resolve("config.json")).doesNotExist();
    }

    @Test
    void statusAndSelftestLookInTheDirectoryOfTheEnvironment() {
        Path dir = tmp.resolve("state");
        assertThat(cli(Map.of("YIZHAN_AGENT_DIR", dir.toString()), "status")).isEqualTo(1);
        assertThat(stderr()).contains("not running (no " + dir.resolve("ports.json") + ")");
        assertThat(cli(Map.of("YIZHAN_AGENT_DIR", dir.toString()), "selftest")).isEqualTo(1);
        assertThat(stderr()).contains(dir.resolve("ports.json").toString());
    }

    @Test
    void configValidateSaysOkOrEveryProblem() throws Exception {
        Path bad = tmp.resolve("bad.json");
        Files.writeString(bad, "{\"v\": 1}");
        assertThat(cli("config", "validate", bad.toString())).isEqualTo(2);
        assertThat(stderr()).contains("problem");
        assertThat(cli("config", "validate", tmp.resolve("none.json").toString())).isEqualTo(2);
        assertThat(stderr()).contains("does not exist");
        Path args = tmp.resolve("args");
        Files.writeString(args, bad.toString());
        assertThat(cli("config", "validate", "@" + args)).as("no @-files of arguments").isEqualTo(2);
        assertThat(stderr()).contains("@" + args + " does not exist");
    }

    @Test
    void completionSubcommandPrintsThePackagedScript() throws Exception {
        assertThat(cli("completion")).isZero();
        assertThat(stdout()).isEqualTo(AgentCli.completionScript())
                .contains("complete -F _complete_yizhan-agent");
        Path written = tmp.resolve("completions/yizhan-agent");
        AgentCli.main(new String[]{written.toString()});
        assertThat(Files.readString(written)).isEqualTo(stdout());
    }

    @Test
    void bashCompletesCommandsAndOptions() throws Exception {
        Path script = tmp.resolve("yizhan-agent");
        AgentCli.main(new String[]{script.toString()});
        assertThat(complete(script, "yizhan-agent", "sel")).containsExactly("selftest");
        assertThat(complete(script, "yizhan-agent", "")).contains("provision", "run", "status", "selftest",
                "config", "completion", "help");
        assertThat(complete(script, "yizhan-agent", "config", "")).containsExactly("validate");
        assertThat(complete(script, "yizhan-agent", "provision", "--c")).containsExactlyInAnyOrder("--code", "--ca");
        assertThat(complete(script, "yizhan-agent", "run", "--s")).containsExactly("--simulate");
    }

    /** What bash offers for the last of {@code words}, with the script sourced, as bash-completion would call it. */
    static List<String> complete(Path script, String... words) throws Exception {
        StringBuilder w = new StringBuilder();
        for (String s : words) {
            w.append(" '").append(s).append('\'');
        }
        String line = String.join(" ", words);
        // compopt works only while bash runs a completion for the line being typed; here it would only complain
        String program = "compopt() { return 0; }\n"
                + "source '" + script + "'\n"
                + "COMP_WORDS=(" + w + " )\n"
                + "COMP_CWORD=" + (words.length - 1) + "\n"
                + "COMP_LINE='" + line + "'\n"
                + "COMP_POINT=${#COMP_LINE}\n"
                + "_complete_" + words[0] + " '" + words[0] + "' '" + words[words.length - 1] + "' '"
                + (words.length > 1 ? words[words.length - 2] : "") + "'\n"
                + "printf '%s\\n' \"${COMPREPLY[@]}\"\n";
        Process p = new ProcessBuilder("bash", "--norc", "--noprofile", "-c", program).redirectErrorStream(true).start();
        String o = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(o).isZero();
        return o.lines().filter(l -> !l.isBlank()).map(String::strip).toList();
    }
}
