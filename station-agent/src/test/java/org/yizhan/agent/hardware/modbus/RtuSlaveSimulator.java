package org.yizhan.agent.hardware.modbus;

import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Modbus RTU slaves answering like SDM120 meters on the far side of a real pseudo-terminal: the Python program
 * {@code modbus/rtu_slave.py} (see there for its commands), started with {@code python3}. The agent's serial line
 * opens {@link #device()}. Every request frame the slaves received is kept, as hex, in {@link #requests()}.
 */
final class RtuSlaveSimulator implements AutoCloseable {

    private final Process process;
    private final OutputStream commands;
    private final BlockingQueue<String> acks = new LinkedBlockingQueue<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<String> overlaps = new CopyOnWriteArrayList<>();
    private final String device;

    RtuSlaveSimulator() throws IOException, InterruptedException {
        Path script;
        try {
            script = Path.of(RtuSlaveSimulator.class.getResource("/modbus/rtu_slave.py").toURI());
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
        process = new ProcessBuilder("python3", script.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        commands = process.getOutputStream();
        BlockingQueue<String> pty = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("PTY ")) {
                        pty.add(line.substring(4));
                    } else if (line.startsWith("REQ ")) {
                        requests.add(line.substring(4));
                    } else if (line.startsWith("OVERLAP ")) {
                        overlaps.add(line.substring(8));
                    } else {
                        acks.add(line);
                    }
                }
            } catch (IOException e) {
                acks.add("closed: " + e);
            }
        }, "rtu-slave-simulator");
        reader.setDaemon(true);
        reader.start();
        String path = pty.poll(20, TimeUnit.SECONDS);
        if (path == null) {
            process.destroyForcibly();
            throw new IllegalStateException("the Modbus slave simulator (python3 rtu_slave.py) did not start");
        }
        device = path;
    }

    /** The pseudo-terminal the master opens as its serial line. */
    String device() {
        return device;
    }

    /** Sets float values (high word first) at registers of {@code slave}, which then answers. */
    RtuSlaveSimulator floats(int slave, Object... registerThenValue) throws IOException, InterruptedException {
        JsonObject floats = new JsonObject();
        for (int i = 0; i < registerThenValue.length; i += 2) {
            floats.put(String.valueOf(registerThenValue[i]), registerThenValue[i + 1]);
        }
        return send(new JsonObject().put("slave", slave).put("floats", floats));
    }

    /** The next answer of {@code slave} goes wrong: "crc", "silent", "impostor" or "exception:N". */
    RtuSlaveSimulator fault(int slave, String fault) throws IOException, InterruptedException {
        return send(new JsonObject().put("slave", slave).put("fault", fault));
    }

    /** Each answer waits this long, as a slow meter's would. */
    RtuSlaveSimulator delayMs(int ms) throws IOException, InterruptedException {
        return send(new JsonObject().put("delay_ms", ms));
    }

    /** The request frames received so far, as lower-case hex. */
    List<String> requests() {
        return new ArrayList<>(requests);
    }

    /** Requests that arrived while the slaves were still preparing the answer to another one. */
    List<String> overlaps() {
        return new ArrayList<>(overlaps);
    }

    private RtuSlaveSimulator send(JsonObject command) throws IOException, InterruptedException {
        commands.write((command.encode() + "\n").getBytes(StandardCharsets.UTF_8));
        commands.flush();
        String ack = acks.poll(10, TimeUnit.SECONDS);
        if (!"OK".equals(ack)) {
            throw new IllegalStateException("the Modbus slave simulator did not take " + command + ": " + ack);
        }
        return this;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        commands.close();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
