package org.yizhan.agent.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code yizhan-agent status}: finds the running agent's local HTTP port in {@code ports.json} of its state
 * directory, asks it for {@code GET /status} and prints the answer for a technician.
 */
public final class StatusCommand {

    private final PrintStream out;
    private final PrintStream err;

    public StatusCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** Shows the status of the agent running with state directory {@code dir}; returns the exit code. */
    public int run(Path dir) {
        java.util.OptionalInt found = LocalAgent.port(dir, err);
        if (found.isEmpty()) {
            return ExitCode.FAILED;
        }
        int port = found.getAsInt();
        JsonObject s;
        try {
            HttpResponse<String> res = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/status"))
                            .timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            s = new JsonObject(res.body());
        } catch (IOException e) {
            err.println("The agent is not running (nothing answers on 127.0.0.1:" + port + ").");
            return ExitCode.FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCode.FAILED;
        } catch (RuntimeException e) {
            err.println("The agent answered with something unreadable: " + e.getMessage());
            return ExitCode.FAILED;
        }
        printStatus(s);
        return ExitCode.OK;
    }

    private void printStatus(JsonObject s) {
        JsonObject door = s.getJsonObject("door", new JsonObject());
        JsonObject occ = s.getJsonObject("occupancy", new JsonObject());
        JsonObject up = s.getJsonObject("uplink", new JsonObject());
        out.println("Station:   " + s.getString("stationId") + (s.getBoolean("simulated", false) ? " (simulated)" : ""));
        out.println("Uplink:    " + (up.getBoolean("connected", false) ? "connected" : "NOT connected")
                + ", session " + up.getValue("session") + ", " + s.getValue("outbox") + " events waiting");
        if (up.getValue("lastError") instanceof String why) {
            out.println("           last failure: " + why);
        }
        JsonObject ob = s.getJsonObject("outboxState", new JsonObject());
        if (ob.getValue("writeError") instanceof String why) {
            out.println("OUTBOX CANNOT WRITE (" + why + "): " + ob.getValue("inMemory") + " events kept in memory");
        }
        if (ob.getLong("evicted", 0L) > 0 || ob.getLong("refused", 0L) > 0) {
            out.println("Outbox at its limits (" + ob.getValue("maxEvents") + " events, " + ob.getValue("maxBytes")
                    + " bytes): " + ob.getValue("evicted") + " evicted, " + ob.getValue("refused") + " refused");
        }
        out.println("Door:      " + (door.getBoolean("open", false) ? "open" : "closed") + ", "
                + (door.getBoolean("locked", true) ? "locked" : "unlocked"));
        out.println("Occupancy: " + occ.getValue("count") + " / " + occ.getValue("capacity"));
        if (s.getBoolean("smokeAlarm", false)) {
            out.println("SMOKE ALARM: chargers are cut off");
        }
        JsonArray chargers = s.getJsonArray("chargers", new JsonArray());
        for (int i = 0; i < chargers.size(); i++) {
            JsonObject c = chargers.getJsonObject(i);
            out.printf("Port %-3s   %-10s %7.1f W %8.1f Wh%n", c.getValue("port"), c.getString("state"),
                    c.getDouble("powerW", 0.0), c.getDouble("energyWh", 0.0));
        }
    }
}
