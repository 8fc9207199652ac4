package org.yizhan.hub;

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

/** The hub's command line: parsing, help and errors, and its bash completion run in a real bash. */
class HubCliTest {

    @TempDir
    Path tmp;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final List<String> started = new ArrayList<>();

    private int cli(String... args) {
        out.reset();
        err.reset();
        return HubCli.commandLine(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of(), (demo, file) -> {
                    started.add((demo ? "demo" : "run") + file.map(f -> " " + f).orElse(""));
                    return HubMain.RUNNING;
                }).execute(args);
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void runIsTheDefaultAndTakesTheConfigBeforeOrAfterTheCommand() {
        assertThat(cli()).isEqualTo(HubMain.RUNNING);
        assertThat(cli("--config", "a.json")).isEqualTo(HubMain.RUNNING);
        assertThat(cli("-c", "b.json", "demo")).isEqualTo(HubMain.RUNNING);
        assertThat(cli("run", "--config=c.json")).isEqualTo(HubMain.RUNNING);
        assertThat(cli("demo", "-c", "d.json")).isEqualTo(HubMain.RUNNING);
        assertThat(started).containsExactly("run", "run a.json", "demo b.json", "run c.json", "demo d.json");
    }

    @Test
    void helpGoesToStdoutWithStatus0() {
        assertThat(cli("--help")).isZero();
        assertThat(stdout()).contains("Usage: yizhan-hub", "run", "demo", "backup", "restore", "update",
                "completion", "YIZHAN_*");
        assertThat(cli("help", "update")).isZero();
        assertThat(stdout()).contains("Usage: yizhan-hub update", "keygen", "sign", "verify");
        assertThat(cli("update", "sign", "--help")).isZero();
        assertThat(stdout()).contains("--key=FILE", "--jar=FILE", "--version=VERSION", "--out=FILE");
        assertThat(cli("demo", "--help")).isZero();
        assertThat(stdout()).contains("demo stations");
        assertThat(cli("--version")).isZero();
        assertThat(stdout()).startsWith("yizhan-hub ");
        assertThat(started).as("help starts nothing").isEmpty();
    }

    @Test
    void unknownCommandOrOptionIsStatus2AndNamesIt() {
        assertThat(cli("serve")).isEqualTo(2);
        assertThat(stderr()).contains("Error: Unmatched argument at index 0: 'serve'", "Usage: yizhan-hub");
        assertThat(cli("bakcup")).isEqualTo(2);
        assertThat(stderr()).contains("Did you mean: yizhan-hub backup");
        assertThat(cli("run", "--port", "80")).isEqualTo(2);
        assertThat(stderr()).contains("Error: Unknown options: '--port'", "Usage: yizhan-hub run");
        assertThat(cli("update", "frobnicate")).isEqualTo(2);
        assertThat(stderr()).contains("'frobnicate'", "Usage: yizhan-hub update");
        assertThat(cli("update")).isEqualTo(2);
        assertThat(stderr()).contains("Missing required subcommand");
        assertThat(started).isEmpty();
    }

    @Test
    void missingValueAndBadNumberAreStatus2AndNameTheOption() {
        assertThat(cli("--config")).isEqualTo(2);
        assertThat(stderr()).contains("Error: Missing required parameter for option '--config' (FILE)");
        assertThat(cli("backup", "--keep", "many")).isEqualTo(2);
        assertThat(stderr()).contains("Error: Invalid value for option '--keep': 'many' is not an int",
                "Usage: yizhan-hub backup");
        assertThat(cli("backup", "--keep", "0")).isEqualTo(2);
        assertThat(stderr()).contains("Error: --keep needs a number from 1 to", "Usage: yizhan-hub backup");
        assertThat(cli("update", "keygen")).isEqualTo(2);
        assertThat(stderr()).contains("Missing required option: '--out=DIR'");
        assertThat(cli("restore", "a.zip")).isEqualTo(2);
        assertThat(stderr()).contains("Missing required option: '--data-dir=DIR'");
        assertThat(started).isEmpty();
    }

    @Test
    void completionSubcommandPrintsThePackagedScript() throws Exception {
        assertThat(cli("completion")).isZero();
        assertThat(stdout()).isEqualTo(HubCli.completionScript()).contains("complete -F _complete_yizhan-hub");
        Path written = tmp.resolve("completions/yizhan-hub");
        HubCli.main(new String[]{written.toString()});
        assertThat(Files.readString(written)).isEqualTo(stdout());
    }

    @Test
    void bashCompletesCommandsAndOptions() throws Exception {
        Path script = tmp.resolve("yizhan-hub");
        HubCli.main(new String[]{script.toString()});
        assertThat(complete(script, "yizhan-hub", "update", "")).containsExactlyInAnyOrder("keygen", "sign",
                "verify");
        assertThat(complete(script, "yizhan-hub", "update", "--")).containsExactly("--help");
        assertThat(complete(script, "yizhan-hub", "re")).containsExactly("restore");
        assertThat(complete(script, "yizhan-hub", "")).contains("run", "demo", "backup", "restore", "update",
                "completion", "help");
        assertThat(complete(script, "yizhan-hub", "backup", "--k")).containsExactly("--keep");
        assertThat(complete(script, "yizhan-hub", "update", "sign", "--v")).containsExactly("--version");
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
