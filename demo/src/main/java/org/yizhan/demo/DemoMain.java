package org.yizhan.demo;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.yizhan.hub.HubApp;
import org.yizhan.hub.HubMain;

import java.util.ArrayList;
import java.util.List;

/**
 * The quick start: {@code java -jar yizhan-demo.jar [--config FILE]} runs the hub in demo mode and, in the same
 * process, a real station agent on simulated hardware for each demo station, so a newcomer sees a live dashboard
 * at once. Settings and exit statuses are the hub's ({@link HubMain}).
 */
public final class DemoMain {

    private DemoMain() {
    }

    public static void main(String[] args) {
        HubMain.routeLogging();
        List<String> withDemo = new ArrayList<>(List.of(args));
        withDemo.removeIf(a -> a.equals("run") || a.equals("demo"));
        withDemo.add(0, "demo");
        int status = HubMain.run(withDemo.toArray(String[]::new), System.out, System.err, List.of(new Fleet()));
        if (status >= 0) {
            System.exit(status);
        }
    }

    /** The demo fleet as a companion of the hub: started once the hub is up, stopped before it. */
    static final class Fleet implements HubMain.Companion {
        private DemoFleet fleet;

        @Override
        public Future<Integer> start(Vertx vertx, HubApp app) {
            if (app.demoStations().isEmpty()) {
                return Future.succeededFuture(0);
            }
            fleet = new DemoFleet(vertx, app.config().dataDir().resolve("demo-agents"),
                    "http://127.0.0.1:" + app.httpPort());
            return fleet.start(app.demoStations()).map(x -> fleet.size());
        }

        @Override
        public Future<Void> stop() {
            return fleet == null ? Future.succeededFuture() : fleet.stop();
        }
    }
}
