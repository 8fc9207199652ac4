package org.yizhan.agent;

import org.yizhan.agent.claim.CameraProvisionCommand;
import org.yizhan.agent.cli.CliSupport;
import org.yizhan.agent.cli.ConfigValidateCommand;
import org.yizhan.agent.cli.ExitCode;
import org.yizhan.agent.cli.Provisioner;
import org.yizhan.agent.cli.SelfTestCommand;
import org.yizhan.agent.cli.StatusCommand;
import org.yizhan.agent.config.ConfigFile;
import org.yizhan.config.StationConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The technician CLI's command tree (picocli): {@code provision}, {@code run}, {@code status}, {@code selftest},
 * {@code config validate}, {@code completion} and {@code help}. Only parses; the work is in {@code cli/}, and
 * {@code run} is {@link AgentMain}'s.
 */
public final class AgentCli {

    static final String NAME = "yizhan-agent";
    static final String DEFAULT_DIR = "/var/lib/yizhan-agent";

    /** Runs the agent on the state directory; the exit status. */
    interface Runner {
        int run(Path dir, boolean simulate);
    }

    private AgentCli() {
    }

    /** The whole command line, writing to these streams, with {@code env} for the {@code YIZHAN_*} overrides. */
    static CommandLine commandLine(PrintStream out, PrintStream err, Map<String, String> env, Runner runner) {
        CommandLine cl = new CommandLine(new Top())
                .addSubcommand(new Provision(out, err, env))
                .addSubcommand(new Run(env, runner))
                .addSubcommand(new Status(out, err, env))
                .addSubcommand(new SelfTest(out, err, env))
                .addSubcommand(new CommandLine(new Config()).addSubcommand(new Validate(out, err)))
                .addSubcommand(new Completion())
                .addSubcommand(new CommandLine.HelpCommand());
        return CliSupport.configure(cl, out, err);
    }

    /** The bash completion script of the whole command line, for {@code /usr/share/bash-completion/completions}. */
    static String completionScript() {
        return CliSupport.completionScript(NAME, commandLine(System.out, System.err, Map.of(), (dir, simulate) -> ExitCode.FAILED));
    }

    /** Writes the completion script to the file named by {@code args[0]}: the build does, for the Debian package. */
    public static void main(String[] args) throws IOException {
        Path file = Path.of(args[0]);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, completionScript(), StandardCharsets.UTF_8);
    }

    @Command(name = NAME, scope = ScopeType.INHERIT, mixinStandardHelpOptions = true,
            versionProvider = Version.class, synopsisSubcommandLabel = "COMMAND",
            description = "The Yizhan station agent, and the technician's commands on the station.",
            footer = {"", "DIR defaults to $YIZHAN_AGENT_DIR, else " + DEFAULT_DIR + ".",
                    "$YIZHAN_AGENT_HTTP_PORT overrides the local HTTP port (0 = any free port).",
                    "Exit status: 0 ok; 1 failed (the agent is not running, the hub refused, ...);",
                    "2 bad arguments or input; 75 stopped for a restart the hub asked for."})
    static final class Top {
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{NAME + " " + StationAgent.VERSION};
        }
    }

    /** {@code --dir DIR}, else {@code $YIZHAN_AGENT_DIR}, else {@value #DEFAULT_DIR}. */
    static final class StateDir {
        @Option(names = "--dir", paramLabel = "DIR", description = "the agent's state directory")
        Path dir;

        Path resolve(Map<String, String> env) {
            if (dir != null) {
                return dir;
            }
            String e = env.get("YIZHAN_AGENT_DIR");
            return Path.of(e == null || e.isBlank() ? DEFAULT_DIR : e);
        }
    }

    @Command(name = "provision", description = {"Claim this station and store its configuration:",
            "with --hub and --code as shown when the station was registered, or",
            "with --from-camera from the claim QR held up to the kiosk's camera."})
    static final class Provision implements Callable<Integer> {
        @Option(names = "--hub", paramLabel = "URL", description = {"the hub, e.g. https://hub.example",
                "with --from-camera: take claim QRs of this hub only"})
        String hub;
        @Option(names = "--code", paramLabel = "CODE", description = "the station's claim code")
        String code;
        @Option(names = "--ca", paramLabel = "FILE",
                description = "the union CA's PEM, for an https:// hub whose certificate is not from a public CA")
        Path ca;
        @Option(names = "--from-camera", description = {"read the claim QR from the camera (YIZHAN_CAMERA,",
                "default /dev/video0), showing the kiosk screen meanwhile"})
        boolean fromCamera;
        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "600",
                description = "with --from-camera: how long to wait for the claim QR (default ${DEFAULT-VALUE})")
        int timeoutSeconds;
        @Mixin
        StateDir stateDir = new StateDir();
        @Spec
        CommandSpec spec;

        private final PrintStream out;
        private final PrintStream err;
        private final Map<String, String> env;

        Provision(PrintStream out, PrintStream err, Map<String, String> env) {
            this.out = out;
            this.err = err;
            this.env = env;
        }

        @Override
        public Integer call() {
            Path dir = stateDir.resolve(env);
            if (fromCamera) {
                if (code != null) {
                    throw new CommandLine.ParameterException(spec.commandLine(),
                            "--code and --from-camera do not go together: the claim QR carries the code");
                }
                if (timeoutSeconds < 1) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--timeout must be 1 or more");
                }
                if (hub != null && !isHttpUrl(hub)) {
                    throw new CommandLine.ParameterException(spec.commandLine(),
                            "--hub '" + hub + "' is not an http:// or https:// address");
                }
                String camera = Optional.ofNullable(env.get("YIZHAN_CAMERA")).filter(c -> !c.isBlank())
                        .orElse("/dev/video0");
                return new CameraProvisionCommand(out, err).run(dir, camera, Optional.ofNullable(hub),
                        Optional.ofNullable(ca), Duration.ofSeconds(timeoutSeconds), screenPort());
            }
            if (hub == null || code == null) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "give --hub URL and --code CODE, or --from-camera");
            }
            try {
                StationConfig c = new Provisioner().provision(hub, code, dir, Optional.ofNullable(ca));
                out.println("Provisioned station " + c.stationId() + " (" + c.name() + ").");
                out.println("Configuration version " + c.version() + " stored in " + ConfigFile.path(dir) + " (mode 0600).");
                out.println("MQTT: " + c.mqtt().host() + ":" + c.mqtt().port() + (c.mqtt().tls() ? " (TLS)" : "")
                        + " as " + c.mqtt().username());
                out.println("Start the agent with: " + NAME + " run --dir " + dir);
                return ExitCode.OK;
            } catch (Provisioner.ProvisionException e) {
                err.println("Provisioning failed: " + e.getMessage());
                return e.badInput() ? ExitCode.USAGE : ExitCode.FAILED;
            }
        }

        private static boolean isHttpUrl(String url) {
            try {
                URI u = new URI(url);
                return ("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null;
            } catch (URISyntaxException e) {
                return false;
            }
        }

        /** The kiosk screen's port while waiting: the agent's ($YIZHAN_AGENT_HTTP_PORT, else the default 8088). */
        private int screenPort() {
            String p = env.get("YIZHAN_AGENT_HTTP_PORT");
            if (p == null || p.isBlank()) {
                return CameraProvisionCommand.DEFAULT_SCREEN_PORT;
            }
            try {
                int port = Integer.parseInt(p.trim());
                if (port >= 0 && port <= 65535) {
                    return port;
                }
            } catch (NumberFormatException e) {
                // below
            }
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "YIZHAN_AGENT_HTTP_PORT must be a port number 0-65535, was '" + p + "'");
        }
    }

    @Command(name = "run", description = "Run the agent.")
    static final class Run implements Callable<Integer> {
        @Option(names = "--simulate", description = "simulated hardware (Pi4J mock), off the Pi")
        boolean simulate;
        @Mixin
        StateDir stateDir = new StateDir();

        private final Map<String, String> env;
        private final Runner runner;

        Run(Map<String, String> env, Runner runner) {
            this.env = env;
            this.runner = runner;
        }

        @Override
        public Integer call() {
            return runner.run(stateDir.resolve(env), simulate);
        }
    }

    @Command(name = "status", description = "Show the running agent's status.")
    static final class Status implements Callable<Integer> {
        @Mixin
        StateDir stateDir = new StateDir();

        private final PrintStream out;
        private final PrintStream err;
        private final Map<String, String> env;

        Status(PrintStream out, PrintStream err, Map<String, String> env) {
            this.out = out;
            this.err = err;
            this.env = env;
        }

        @Override
        public Integer call() {
            return new StatusCommand(out, err).run(stateDir.resolve(env));
        }
    }

    @Command(name = "selftest", description = {"Run the self-test in the running agent now (as root).",
            "Shows each check. It reads DIR/selftest.token, which only the agent's user",
            "and root can read."})
    static final class SelfTest implements Callable<Integer> {
        @Mixin
        StateDir stateDir = new StateDir();

        private final PrintStream out;
        private final PrintStream err;
        private final Map<String, String> env;

        SelfTest(PrintStream out, PrintStream err, Map<String, String> env) {
            this.out = out;
            this.err = err;
            this.env = env;
        }

        @Override
        public Integer call() {
            return new SelfTestCommand(out, err).run(stateDir.resolve(env));
        }
    }

    @Command(name = "config", synopsisSubcommandLabel = "COMMAND", description = "Station configuration files.")
    static final class Config {
    }

    @Command(name = "validate", description = "Check a station configuration file; prints OK or every problem.")
    static final class Validate implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "the configuration (JSON)")
        Path file;

        private final PrintStream out;
        private final PrintStream err;

        Validate(PrintStream out, PrintStream err) {
            this.out = out;
            this.err = err;
        }

        @Override
        public Integer call() {
            return new ConfigValidateCommand(out, err).run(file);
        }
    }

    @Command(name = "completion", description = {"Print the bash completion script.",
            "The Debian package installs it as",
            "/usr/share/bash-completion/completions/" + NAME + "; elsewhere:",
            "  source <(" + NAME + " completion)"})
    static final class Completion implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            CommandLine root = spec.root().commandLine();
            root.getOut().print(CliSupport.completionScript(NAME, root));
            root.getOut().flush();
            return ExitCode.OK;
        }
    }
}
