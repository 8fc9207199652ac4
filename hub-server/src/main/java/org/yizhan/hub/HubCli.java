package org.yizhan.hub;

import org.yizhan.hub.backup.BackupCommand;
import org.yizhan.hub.backup.HubBackup;
import org.yizhan.hub.backup.RestoreCommand;
import org.yizhan.hub.cli.CliSupport;
import org.yizhan.hub.updates.UpdateCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The hub's command tree (picocli): {@code run} (the default), {@code demo}, {@code backup}, {@code restore},
 * {@code update keygen|sign|verify}, {@code completion} and {@code help}. Only parses; {@link HubMain} starts the
 * hub, and the other commands do their own work.
 */
public final class HubCli {

    static final String NAME = "yizhan-hub";

    /** Starts the hub (with demo stations when {@code demo}); the exit status, or {@link HubMain#RUNNING}. */
    interface Starter {
        int start(boolean demo, Optional<Path> configFile);
    }

    private HubCli() {
    }

    /** The whole command line, writing to these streams, with {@code env} for the {@code YIZHAN_*} overrides. */
    static CommandLine commandLine(PrintStream out, PrintStream err, Map<String, String> env, Starter starter) {
        CommandLine cl = new CommandLine(new Top(starter))
                .addSubcommand(new Run(starter))
                .addSubcommand(new Demo(starter))
                .addSubcommand(new BackupCommand(out, err, env))
                .addSubcommand(new RestoreCommand(out, err))
                .addSubcommand(new UpdateCommand(out, err))
                .addSubcommand(new Completion())
                .addSubcommand(new CommandLine.HelpCommand());
        return CliSupport.configure(cl, out, err);
    }

    /** The bash completion script of the whole command line, for {@code /usr/share/bash-completion/completions}. */
    static String completionScript() {
        return CliSupport.completionScript(NAME, commandLine(System.out, System.err, Map.of(), (demo, file) -> 1));
    }

    /** Writes the completion script to the file named by {@code args[0]}: the build does, for the Debian package. */
    public static void main(String[] args) throws IOException {
        Path file = Path.of(args[0]);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, completionScript(), StandardCharsets.UTF_8);
    }

    @Command(name = NAME, mixinStandardHelpOptions = true, versionProvider = Version.class,
            synopsisSubcommandLabel = "[COMMAND]",
            description = "The Yizhan hub: stations' MQTT endpoint, registry, API and web pages.",
            footer = {"", "Without a command the hub runs (as 'run'). Each command has --help.",
                    "Settings: --config FILE, JSON with keys like \"http-port\"; YIZHAN_* environment",
                    "variables override them.",
                    "Exit status: 0 ok or help; 1 the hub cannot start; 2 bad arguments or settings."})
    static final class Top implements Callable<Integer> {
        @Option(names = {"--config", "-c"}, paramLabel = "FILE", description = "the hub's settings (JSON)")
        Path configFile;

        private final Starter starter;

        Top(Starter starter) {
            this.starter = starter;
        }

        @Override
        public Integer call() {
            return starter.start(false, Optional.ofNullable(configFile));
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{NAME + " " + HubBackup.HUB_VERSION};
        }
    }

    /** {@code run} and {@code demo}: the same but for the demo stations. */
    abstract static class Start implements Callable<Integer> {
        @Option(names = {"--config", "-c"}, paramLabel = "FILE", description = "the hub's settings (JSON)")
        Path configFile;
        @Mixin
        CliSupport.HelpOption help = new CliSupport.HelpOption();
        @ParentCommand
        Top top;

        private final Starter starter;
        private final boolean demo;

        Start(Starter starter, boolean demo) {
            this.starter = starter;
            this.demo = demo;
        }

        @Override
        public Integer call() {
            Optional<Path> file = Optional.ofNullable(configFile).or(() -> Optional.ofNullable(top.configFile));
            return starter.start(demo, file);
        }
    }

    @Command(name = "run", description = "Start the hub (the default).")
    static final class Run extends Start {
        Run(Starter starter) {
            super(starter, false);
        }
    }

    @Command(name = "demo", description = {"Start the hub with demo stations and print their claim codes.",
            "3 stations unless the demo-stations setting says otherwise. yizhan-demo.jar",
            "runs the same with simulated stations in the process."})
    static final class Demo extends Start {
        Demo(Starter starter) {
            super(starter, true);
        }
    }

    @Command(name = "completion", description = {"Print the bash completion script.",
            "The Debian package installs it as",
            "/usr/share/bash-completion/completions/" + NAME + "; elsewhere:",
            "  source <(" + NAME + " completion)"})
    static final class Completion implements Callable<Integer> {
        @Mixin
        CliSupport.HelpOption help = new CliSupport.HelpOption();
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            CommandLine root = spec.root().commandLine();
            root.getOut().print(CliSupport.completionScript(NAME, root));
            root.getOut().flush();
            return 0;
        }
    }
}
