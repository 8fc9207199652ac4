package org.yizhan.agent;

import io.vertx.core.Vertx;
import org.yizhan.agent.cli.ConfigValidateCommand;
import org.yizhan.agent.cli.ExitCode;
import org.yizhan.agent.cli.Provisioner;
import org.yizhan.agent.cli.SelfTestCommand;
import org.yizhan.agent.cli.StatusCommand;
import org.yizhan.agent.config.ConfigFile;
import org.yizhan.config.ConfigException;
import org.yizhan.config.StationConfig;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The technician CLI and the agent's entry point: {@code provision}, {@code run}, {@code status}, {@code selftest},
 * {@code config validate}. Exit codes: 0 ok, 1 runtime failure, 2 usage or bad input. Only parses the
 * command line and runs the agent; the other commands' work is in {@code cli/}.
 */
public final class AgentMain {

    public static final int OK = ExitCode.OK;
    public static final int FAILED = ExitCode.FAILED;
    public static final int USAGE = ExitCode.USAGE;
    public static final int RESTART = ExitCode.RESTART;
    static final String DEFAULT_DIR = "/var/lib/yizhan-agent";

    private static final String USAGE_TEXT = """
            Usage: yizhan-agent <command> [options]
              provision --hub URL --code CODE [--dir DIR] [--ca FILE]
                                                            claim this station and store its configuration
                                                            (--ca: the union CA's PEM, for an https:// hub whose
                                                            certificate is not from a public CA)
              run [--dir DIR] [--simulate]                  run the agent (--simulate: mock hardware)
              status [--dir DIR]                            show the running agent's status
              selftest [--dir DIR]                          run the self-test in the running agent now
                                                            (as root: it reads DIR/selftest.token)
              config validate FILE                          check a station configuration file
            DIR defaults to $YIZHAN_AGENT_DIR, else /var/lib/yizhan-agent.
            $YIZHAN_AGENT_HTTP_PORT overrides the local HTTP port (0 = any free port).""";

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;

    AgentMain(PrintStream out, PrintStream err, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.env = env;
    }

    public static void main(String[] args) {
        System.exit(new AgentMain(System.out, System.err, System.getenv()).execute(args));
    }

    /** Runs one CLI command and returns its exit code. */
    int execute(String[] args) {
        if (args.length == 0 || "--help".equals(args[0]) || "-h".equals(args[0])) {
            (args.length == 0 ? err : out).println(USAGE_TEXT);
            return args.length == 0 ? USAGE : OK;
        }
        String cmd = args[0];
        Options o;
        try {
            o = Options.parse(List.of(args).subList(1, args.length));
        } catch (IllegalArgumentException e) {
            return usage(e.getMessage());
        }
        return switch (cmd) {
            case "provision" -> provision(o);
            case "run" -> run(o);
            case "status" -> status(o);
            case "selftest" -> selftest(o);
            case "config" -> config(o);
            default -> usage("unknown command '" + cmd + "'");
        };
    }

    private int usage(String problem) {
        err.println("Error: " + problem);
        err.println(USAGE_TEXT);
        return USAGE;
    }

    private Path dir(Options o) {
        if (o.dir != null) {
            return Path.of(o.dir);
        }
        String e = env.get("YIZHAN_AGENT_DIR");
        return Path.of(e == null || e.isBlank() ? DEFAULT_DIR : e);
    }

    private int provision(Options o) {
        if (o.hub == null || o.code == null || !o.positional.isEmpty() || o.simulate) {
            return usage("provision needs --hub URL and --code CODE");
        }
        Path dir = dir(o);
        try {
            StationConfig c = new Provisioner().provision(o.hub, o.code, dir,
                    Optional.ofNullable(o.ca).map(Path::of));
            out.println("Provisioned station " + c.stationId() + " (" + c.name() + ").");
            out.println("Configuration version " + c.version() + " stored in " + ConfigFile.path(dir) + " (mode 0600).");
            out.println("MQTT: " + c.mqtt().host() + ":" + c.mqtt().port() + (c.mqtt().tls() ? " (TLS)" : "")
                    + " as " + c.mqtt().username());
            out.println("Start the agent with: yizhan-agent run --dir " + dir);
            return OK;
        } catch (Provisioner.ProvisionException e) {
            err.println("Provisioning failed: " + e.getMessage());
            return e.badInput() ? USAGE : FAILED;
        }
    }

    private int run(Options o) {
        if (!o.positional.isEmpty() || o.hub != null || o.code != null) {
            return usage("run takes only --dir and --simulate");
        }
        Path dir = dir(o);
        StationConfig config;
        try {
            config = ConfigFile.read(dir);
        } catch (ConfigException e) {
            err.println("Cannot start: the configuration in " + dir + " is not usable:");
            e.problems().forEach(p -> err.println("  " + p));
            return USAGE;
        }
        String portEnv = env.get("YIZHAN_AGENT_HTTP_PORT");
        if (portEnv != null && !portEnv.isBlank()) {
            try {
                int port = Integer.parseInt(portEnv.strip());
                if (port < 0 || port > 65535) {
                    throw new NumberFormatException();
                }
                config = config.withHttp(new StationConfig.LocalHttp(config.http().host(), port));
            } catch (NumberFormatException e) {
                err.println("Error: YIZHAN_AGENT_HTTP_PORT must be a port number 0-65535, was '" + portEnv + "'");
                return USAGE;
            }
        }
        Vertx vertx = Vertx.vertx();
        java.util.Optional<SystemdNotify> systemd;
        try {
            systemd = SystemdNotify.from(vertx, env, SystemdNotify.SYSTEMD_NOTIFY, ProcessHandle.current().pid());
        } catch (IllegalStateException e) {
            err.println("Cannot start: " + e.getMessage());
            closeQuietly(vertx);
            return FAILED;
        }
        StationAgent agent = new StationAgent(vertx, config, dir, o.simulate);
        try {
            agent.start().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            err.println("The agent could not start: " + cause.getMessage());
            closeQuietly(vertx);
            return FAILED;
        }
        String running = "Station " + config.stationId() + " running" + (o.simulate ? " with simulated hardware" : "")
                + "; local HTTP on " + config.http().host() + ":" + agent.httpPort();
        out.println(running + ". Ctrl-C stops it.");
        systemd.ifPresent(s -> s.ready(running).onFailure(e ->
                err.println("Telling systemd the agent is ready failed (the unit needs NotifyAccess=all): "
                        + e.getMessage())));
        CountDownLatch stopped = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger exit = new java.util.concurrent.atomic.AtomicInteger(OK);
        Runnable stopAll = () -> {
            systemd.ifPresent(SystemdNotify::stopping);
            try {
                agent.stop().toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
            } catch (Exception e) {
                err.println("Shutdown was not clean: " + e.getMessage());
            } finally {
                closeQuietly(vertx);
                stopped.countDown();
            }
        };
        // agent.restart: stop in order, then exit with 75 for the service manager to start a fresh process
        agent.onRestart(() -> {
            exit.set(RESTART);
            new Thread(stopAll, "yizhan-agent-restart").start();
        });
        Thread hook = new Thread(stopAll, "yizhan-agent-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (exit.get() == RESTART) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down: the hook runs anyway and finds everything stopped
            }
            out.println("Station " + config.stationId() + " stopped for a restart (exit " + RESTART + ")");
        }
        return exit.get();
    }

    private static void closeQuietly(Vertx vertx) {
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // closing anyway
        }
    }

    private int status(Options o) {
        if (!o.positional.isEmpty()) {
            return usage("status takes only --dir");
        }
        return new StatusCommand(out, err).run(dir(o));
    }

    private int selftest(Options o) {
        if (!o.positional.isEmpty() || o.hub != null || o.code != null || o.simulate) {
            return usage("selftest takes only --dir");
        }
        return new SelfTestCommand(out, err).run(dir(o));
    }

    private int config(Options o) {
        if (o.positional.size() != 2 || !"validate".equals(o.positional.get(0))) {
            return usage("use: config validate FILE");
        }
        return new ConfigValidateCommand(out, err).run(Path.of(o.positional.get(1)));
    }

    /** Parsed options of one command. */
    static final class Options {
        String hub;
        String code;
        String dir;
        String ca;
        boolean simulate;
        final List<String> positional = new ArrayList<>();

        static Options parse(List<String> args) {
            Options o = new Options();
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                switch (a) {
                    case "--hub" -> o.hub = value(args, ++i, a);
                    case "--code" -> o.code = value(args, ++i, a);
                    case "--dir" -> o.dir = value(args, ++i, a);
                    case "--ca" -> o.ca = value(args, ++i, a);
                    case "--simulate" -> o.simulate = true;
                    default -> {
                        if (a.startsWith("--")) {
                            throw new IllegalArgumentException("unknown option " + a);
                        }
                        o.positional.add(a);
                    }
                }
            }
            return o;
        }

        private static String value(List<String> args, int i, String name) {
            if (i >= args.size() || args.get(i).startsWith("--")) {
                throw new IllegalArgumentException(name + " needs a value");
            }
            return args.get(i);
        }
    }
}
