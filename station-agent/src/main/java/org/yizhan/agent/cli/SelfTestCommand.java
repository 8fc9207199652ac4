package org.yizhan.agent.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalInt;

/**
 * {@code yizhan-agent selftest}: has the running agent run its self-test now (door relay, door contact, beams,
 * meters, smoke, camera, uplink; the hub gets the result too) and prints each check. It needs the token in
 * {@code selftest.token} of the state directory, which only the agent's user and root can read: run it as root
 * ({@code sudo}) on the station. Exit status 0 when every check passed, 1 when one failed or the agent did not
 * answer.
 */
public final class SelfTestCommand {

    private final PrintStream out;
    private final PrintStream err;

    public SelfTestCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public int run(Path dir) {
        OptionalInt port = LocalAgent.port(dir, err);
        if (port.isEmpty()) {
            return ExitCode.FAILED;
        }
        String token;
        Path tokenFile = dir.resolve("selftest.token");
        try {
            token = Files.readString(tokenFile, StandardCharsets.US_ASCII).strip();
        } catch (AccessDeniedException e) {
            err.println("Cannot read " + tokenFile + ": run the self-test as root (sudo yizhan-agent selftest).");
            return ExitCode.FAILED;
        } catch (NoSuchFileException e) {
            err.println("No " + tokenFile + ": the agent there is older than this command, or not started.");
            return ExitCode.FAILED;
        } catch (IOException e) {
            err.println("Cannot read " + tokenFile + ": " + e.getMessage());
            return ExitCode.FAILED;
        }
        out.println("Running the self-test (the relays click once)...");
        HttpResponse<String> res;
        try {
            res = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port.getAsInt() + "/selftest"))
                            .timeout(Duration.ofSeconds(60)).header("X-Yizhan-Token", token)
                            .POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            err.println("The agent is not running (nothing answers on 127.0.0.1:" + port.getAsInt() + ").");
            return ExitCode.FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCode.FAILED;
        }
        if (res.statusCode() != 200) {
            err.println("The agent refused the self-test (" + res.statusCode() + "): " + res.body());
            return ExitCode.FAILED;
        }
        JsonObject r;
        try {
            r = new JsonObject(res.body());
        } catch (RuntimeException e) {
            err.println("The agent answered with something unreadable: " + e.getMessage());
            return ExitCode.FAILED;
        }
        for (Object o : r.getJsonArray("checks", new JsonArray())) {
            if (o instanceof JsonObject c) {
                out.println((c.getBoolean("ok", false) ? "  ok    " : "  FAIL  ") + c.getString("name") + ": "
                        + c.getString("detail", ""));
            }
        }
        boolean ok = r.getBoolean("ok", false);
        out.println(ok ? "Self-test passed." : "Self-test FAILED: see the checks marked FAIL.");
        return ok ? ExitCode.OK : ExitCode.FAILED;
    }
}
