package org.yizhan.agent.face;

import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Face access on this station, from {@code face.json} in the agent's state directory (a station-local file: the
 * operator installs the face module or model file on the station and switches it on there). Face access is off
 * when the file is absent or says {@code "enabled": false}; rider passes work either way.
 *
 * <pre>{@code
 * {"enabled": true,
 *  "engine": "module",                     // or "onnx"
 *  "moduleUrl": "http://127.0.0.1:8701",   // engine "module": the face module on loopback (docs/face-module.md)
 *  "modelFile": "/var/lib/yizhan-agent/face.onnx", // engine "onnx": the operator's recognition model
 *  "matchThreshold": 0.55,                 // least cosine similarity that counts as the same person
 *  "livenessThreshold": 0.8,               // least liveness score; below it the door says "not-live"
 *  "enrolFrames": 3,                       // frames averaged into one template at the kiosk
 *  "cropFraction": 0.6, "pixelMean": 127.5, "pixelScale": 127.5}   // onnx preprocessing
 * }</pre>
 */
public record FaceConfig(boolean enabled, String engine, Optional<URI> moduleUrl, Optional<Path> modelFile,
                         float matchThreshold, float livenessThreshold, int enrolFrames, float cropFraction,
                         float pixelMean, float pixelScale) {

    public static final String FILE = "face.json";
    public static final String MODULE = "module";
    public static final String ONNX = "onnx";
    public static final FaceConfig OFF = new FaceConfig(false, MODULE, Optional.empty(), Optional.empty(), 0.55f,
            0.8f, 3, 0.6f, 127.5f, 127.5f);

    /** The configuration in {@code stateDir/face.json}, {@link #OFF} when there is none. */
    public static FaceConfig load(Path stateDir) throws java.io.IOException {
        Path file = stateDir.resolve(FILE);
        if (!Files.exists(file)) {
            return OFF;
        }
        JsonObject json;
        try {
            json = new JsonObject(Files.readString(file, StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + ": not a JSON object (" + e.getMessage() + ")");
        }
        return parse(json);
    }

    /** Validates every field and names each bad one. */
    public static FaceConfig parse(JsonObject o) {
        List<String> problems = new ArrayList<>();
        boolean enabled = Boolean.TRUE.equals(o.getValue("enabled"));
        if (o.containsKey("enabled") && !(o.getValue("enabled") instanceof Boolean)) {
            problems.add("enabled: must be true or false");
        }
        String engine = String.valueOf(o.getValue("engine", MODULE)).toLowerCase(Locale.ROOT);
        if (!engine.equals(MODULE) && !engine.equals(ONNX)) {
            problems.add("engine: must be \"module\" or \"onnx\"");
        }
        Optional<URI> url = Optional.empty();
        if (o.getValue("moduleUrl") != null) {
            try {
                URI u = URI.create(String.valueOf(o.getValue("moduleUrl")));
                if (!"http".equals(u.getScheme()) || u.getHost() == null) {
                    problems.add("moduleUrl: must be an http:// address");
                } else if (!isLoopback(u.getHost())) {
                    problems.add("moduleUrl: must be on loopback (127.0.0.1, ::1 or localhost): frames never leave the station");
                } else {
                    url = Optional.of(u);
                }
            } catch (IllegalArgumentException e) {
                problems.add("moduleUrl: not a URL");
            }
        }
        Optional<Path> model = o.getValue("modelFile") instanceof String s && !s.isBlank()
                ? Optional.of(Path.of(s)) : Optional.empty();
        if (enabled && engine.equals(MODULE) && url.isEmpty() && problems.stream().noneMatch(p -> p.startsWith("moduleUrl"))) {
            problems.add("moduleUrl: is required for engine \"module\"");
        }
        if (enabled && engine.equals(ONNX) && model.isEmpty()) {
            problems.add("modelFile: is required for engine \"onnx\"");
        }
        float match = number(o, "matchThreshold", OFF.matchThreshold, -0.99f, 1f, problems);
        float live = number(o, "livenessThreshold", OFF.livenessThreshold, 0f, 1f, problems);
        float enrol = number(o, "enrolFrames", OFF.enrolFrames, 1, 10, problems);
        if (enrol != Math.rint(enrol)) {
            problems.add("enrolFrames: must be a whole number from 1 to 10");
        }
        float crop = number(o, "cropFraction", OFF.cropFraction, 0.1f, 1f, problems);
        float mean = number(o, "pixelMean", OFF.pixelMean, 0f, 255f, problems);
        float scale = number(o, "pixelScale", OFF.pixelScale, 0.001f, 1000f, problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("face configuration: " + String.join("; ", problems));
        }
        return new FaceConfig(enabled, engine, url, model, match, live, (int) enrol, crop, mean, scale);
    }

    static boolean isLoopback(String host) {
        String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        return h.equals("localhost") || h.startsWith("127.") || h.equals("::1");
    }

    private static float number(JsonObject o, String field, float dflt, float min, float max, List<String> problems) {
        Object v = o.getValue(field);
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof Number n) || !(n.doubleValue() >= min && n.doubleValue() <= max)) {
            problems.add(field + ": must be a number from " + min + " to " + max);
            return dflt;
        }
        return n.floatValue();
    }
}
