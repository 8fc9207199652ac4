package org.yizhan.agent;

import io.vertx.core.Vertx;
import org.yizhan.agent.cli.ExitCode;
import org.yizhan.agent.config.ConfigFile;
import org.yizhan.config.ConfigException;
import org.yizhan.config.StationConfig;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The technician CLI and the agent's entry point: {@code provision}, {@code run}, {@code status}, {@code selftest},
 * {@code config validate}, {@code completion}. Exit codes: 0 ok, 1 runtime failure, 2 usage or bad input, 75 a
 * restart. The command line is parsed by {@link AgentCli} (picocli); this runs the agent, and the other commands'
 * work is in {@code cli/}.
 */
public final class AgentMain {

    public static final int OK = ExitCode.OK;
    public static final int FAILED = ExitCode.FAILED;
    public static final int USAGE = ExitCode.USAGE;
    public static final int RESTART = ExitCode.RESTART;

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
        return AgentCli.commandLine(out, err, env, this::run).execute(args);
    }

    /** {@code run}: starts the agent on {@code dir} and waits until it stops; the exit status. */
    private int run(Path dir, boolean simulate) {
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
        StationAgent agent = new StationAgent(vertx, config, dir, simulate);
        try {
            agent.start().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            err.println("The agent could not start: " + cause.getMessage());
            closeQuietly(vertx);
            return FAILED;
        }
        String running = "Station " + config.stationId() + " running" + (simulate ? " with simulated hardware" : "")
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
}
