package org.yizhan.hub;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;
import org.yizhan.hub.logging.LogFormat;
import org.yizhan.hub.metrics.HubMetrics;
import org.yizhan.hub.metrics.HubVertx;
import org.yizhan.hub.stations.DemoStations;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Command line ({@link HubCli}): {@code yizhan-hub [run|demo] [--config FILE]}, {@code backup}, {@code restore},
 * {@code update} and {@code completion}. {@code run} (the default) starts the hub; {@code demo} does the same with
 * demo stations (3 unless {@code demo-stations} says otherwise) and prints their claim codes, for agents to be
 * provisioned with. {@code yizhan-demo.jar} (module {@code demo}) runs the same
 * with simulated agents in the process, through a {@link Companion}. Exit status 2 for bad arguments or settings, 1
 * when the hub cannot start.
 */
public final class HubMain {

    public static final int RUNNING = -1;

    /** Something that runs in the hub's process once the hub is up, and stops before it (the demo's agents). */
    public interface Companion {
        /** Starts beside the running hub; answers how many simulated stations it runs, for the banner. */
        Future<Integer> start(Vertx vertx, HubApp app);

        Future<Void> stop();
    }

    private HubMain() {
    }

    public static void main(String[] args) {
        routeLogging();
        int status = run(args, System.out, System.err);
        if (status >= 0) {
            System.exit(status);
        }
    }

    /**
     * Starts the hub. Returns {@link #RUNNING} once it runs (Vert.x threads keep the JVM alive; a shutdown hook
     * stops the hub), or the exit status when it should not run: 0 for help, 2 for bad arguments or settings, 1
     * when it could not start.
     */
    static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, List.of());
    }

    /** As {@link #run(String[], PrintStream, PrintStream)}, with companions started once the hub is up. */
    public static int run(String[] args, PrintStream out, PrintStream err, List<Companion> companions) {
        return HubCli.commandLine(out, err, System.getenv(),
                (demo, configFile) -> start(demo, configFile, out, err, companions)).execute(args);
    }

    /** {@code run} and {@code demo}: loads the settings and starts the hub and the companions. */
    private static int start(boolean demo, Optional<Path> configFile, PrintStream out, PrintStream err,
                             List<Companion> companions) {
        HubConfig config;
        try {
            config = HubConfig.load(configFile, System.getenv());
        } catch (NoSuchFileException e) {
            err.println("Config file not found: " + e.getFile());
            return 2;
        } catch (IOException e) {
            err.println("Cannot read config file: " + e.getMessage());
            return 2;
        } catch (IllegalArgumentException e) {
            err.println("Bad setting: " + e.getMessage());
            return 2;
        }
        if (demo && config.demoStations() == 0) {
            config = config.withDemoStations(3);
        }

        Logger log = LoggerFactory.getLogger(HubMain.class);
        HubMetrics metrics = new HubMetrics();
        Vertx vertx = HubVertx.create(metrics);
        HubApp app = new HubApp(vertx, config, metrics);
        try {
            app.start().toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
        } catch (Exception e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            log.error("The hub could not start", cause);
            err.println("The hub could not start: " + cause.getMessage());
            closeQuietly(vertx);
            return 1;
        }
        List<Companion> started = new ArrayList<>();
        int simulated = 0;
        for (Companion c : companions) {
            try {
                simulated += c.start(vertx, app).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
                started.add(c);
            } catch (Exception e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                log.error("{} could not start", c.getClass().getSimpleName(), cause);
                err.println(c.getClass().getSimpleName() + " could not start: " + cause.getMessage());
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("Shutting down");
            try {
                Future<Void> first = Future.join(started.stream().map(Companion::stop).toList()).mapEmpty();
                first.eventually(app::stop).eventually(vertx::close)
                        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                log.warn("Clean shutdown did not finish: {}", e.toString());
            }
        }, "yizhan-hub-shutdown"));
        if (app.tls().isPresent()) {
            reloadTlsOnHangup(app, log);
        }
        printBanner(out, app, demo, simulated);
        return RUNNING;
    }

    /** {@code kill -HUP} reads the certificate files again; connections stay up. */
    private static void reloadTlsOnHangup(HubApp app, Logger log) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> {
                log.info("SIGHUP: reading the TLS certificate and key again");
                app.reloadTls();
            });
        } catch (IllegalArgumentException e) {
            log.info("No SIGHUP on this system ({}); the hub still reloads changed certificate files by itself",
                    e.getMessage());
        }
    }

    private static void printBanner(PrintStream out, HubApp app, boolean demo, int simulated) {
        HubConfig c = app.config();
        String url = dashboardUrl(c, app.httpPort());
        StringBuilder b = new StringBuilder();
        b.append('\n').append("Yizhan hub is running").append(demo ? " (demo)" : "").append('\n');
        b.append("  Dashboard: ").append(url).append('\n');
        b.append("  MQTT:      port ").append(app.mqttPort()).append(c.mqttTls() ? " (TLS)" : "").append('\n');
        b.append("  Data:      ").append(c.dataDir().toAbsolutePath()).append('\n');
        if (app.generatedAdminPasswordFile().isPresent()) {
            String line = "=".repeat(66);
            b.append('\n').append(line).append('\n')
                    .append("  First start: the admin account was created. Sign in as admin with\n")
                    .append("  the password in the file (readable by this user only):\n")
                    .append("    ").append(app.generatedAdminPasswordFile().get()).append('\n')
                    .append("  Then set a password of your own and delete the file. It is never\n")
                    .append("  shown here or logged. Or start the hub with YIZHAN_ADMIN_PASSWORD.\n")
                    .append(line).append('\n');
        } else if (c.adminPassword().isPresent()) {
            b.append("  Sign in:   admin, with the password from admin-password (YIZHAN_ADMIN_PASSWORD)\n");
        } else {
            b.append("  Sign in:   admin, with the password from the data directory's admin-password file of the first start"
                    + " (or set YIZHAN_ADMIN_PASSWORD)\n");
        }
        if (!app.demoStations().isEmpty()) {
            b.append("\n  Demo stations:\n");
            for (DemoStations.Demo d : app.demoStations()) {
                b.append("    ").append(d.stationId()).append("  ").append(d.name());
                if (simulated > 0) {
                    b.append("  (simulated station, running in this process)");
                } else if (d.provisioned()) {
                    b.append("  (provisioned)");
                } else {
                    d.claimCode().ifPresent(code -> b.append("  claim code ").append(code));
                    d.claimCode().ifPresent(code -> b.append("\n      java -jar yizhan-agent.jar provision --hub ")
                            .append(url.replaceAll("/+$", "")).append(" --code ").append(code)
                            .append(" --dir ./station-").append(d.stationId()));
                }
                b.append('\n');
            }
        }
        out.println(b);
        out.flush();
    }

    static String dashboardUrl(HubConfig c, int port) {
        if (!c.publicHttpUrl().isBlank()) {
            return c.publicHttpUrl();
        }
        String host = c.httpHost();
        if (host.isBlank() || host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            host = "localhost";
        } else if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return (c.httpTls() ? "https://" : "http://") + host + ":" + port + "/";
    }

    /**
     * java.util.logging (used by some libraries) and Vert.x's own logging go to SLF4J; a log format that is neither
     * text nor json ({@link LogFormat}) is named in a warning, the log being text.
     */
    public static void routeLogging() {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        System.setProperty("vertx.logger-delegate-factory-class-name", "io.vertx.core.logging.SLF4JLogDelegateFactory");
        LogFormat.unknownSetting(System.getProperties(), System.getenv()).ifPresent(setting ->
                LoggerFactory.getLogger(LogFormat.class).warn("{} is neither text nor json: logging as text", setting));
    }

    private static void closeQuietly(Vertx vertx) {
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // exiting anyway
        }
    }
}
