package org.yizhan.agent.face;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.yizhan.agent.camera.LumaFrame;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/**
 * A {@link FaceEngine} in front of an external face module (a camera board or a separate process with its own
 * detector, recogniser and liveness check) that serves the small HTTP protocol of {@code docs/face-module.md} on
 * loopback: {@code GET /v1/info} answers {@code {"dimension":N}}; {@code POST /v1/analyse?width=W&height=H}
 * takes the frame's luminance plane (W×H bytes, row by row) and answers {@code {"face":false}} or
 * {@code {"face":true,"embedding":[N numbers],"liveness":0..1}}. Anything else is an engine failure. Blocking:
 * call from a worker thread.
 */
public final class ModuleFaceEngine implements FaceEngine {

    /** Largest answer read from the module. */
    static final int MAX_ANSWER_CHARS = 256 * 1024;
    private static final int MAX_DIMENSION = 4096;

    private final URI base;
    private final HttpClient http;
    private final Duration timeout;
    private final int dimension;

    private ModuleFaceEngine(URI base, HttpClient http, Duration timeout, int dimension) {
        this.base = base;
        this.http = http;
        this.timeout = timeout;
        this.dimension = dimension;
    }

    /** Connects to the module at {@code base} (loopback only) and asks for its embedding dimension. */
    public static ModuleFaceEngine connect(URI base, Duration timeout) throws FaceEngineException {
        if (base.getHost() == null || !FaceConfig.isLoopback(base.getHost())) {
            throw new FaceEngineException("the face module must be on loopback, not " + base, null);
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
        JsonObject info = call(http, HttpRequest.newBuilder(base.resolve("/v1/info")).timeout(timeout).GET().build());
        if (!(info.getValue("dimension") instanceof Number n) || n.intValue() != n.doubleValue()
                || n.intValue() < 1 || n.intValue() > MAX_DIMENSION) {
            throw new FaceEngineException("the face module's /v1/info has no dimension from 1 to " + MAX_DIMENSION, null);
        }
        return new ModuleFaceEngine(base, http, timeout, n.intValue());
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public Optional<FaceSample> analyse(LumaFrame frame) throws FaceEngineException {
        byte[] pixels = frame.luma().length == frame.width() * frame.height() ? frame.luma()
                : Arrays.copyOf(frame.luma(), frame.width() * frame.height());
        HttpRequest req = HttpRequest.newBuilder(base.resolve("/v1/analyse?width=" + frame.width() + "&height="
                        + frame.height()))
                .timeout(timeout).header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(pixels)).build();
        JsonObject a = call(http, req);
        Object face = a.getValue("face");
        if (Boolean.FALSE.equals(face)) {
            return Optional.empty();
        }
        if (!Boolean.TRUE.equals(face)) {
            throw new FaceEngineException("the face module's answer has no \"face\": true or false", null);
        }
        if (!(a.getValue("embedding") instanceof JsonArray list) || list.size() != dimension) {
            throw new FaceEngineException("the face module's embedding must have " + dimension + " numbers", null);
        }
        float[] e = new float[dimension];
        for (int i = 0; i < dimension; i++) {
            if (!(list.getValue(i) instanceof Number n) || !Double.isFinite(n.doubleValue())) {
                throw new FaceEngineException("the face module's embedding[" + i + "] is not a number", null);
            }
            e[i] = n.floatValue();
        }
        if (!(a.getValue("liveness") instanceof Number l) || !(l.doubleValue() >= 0 && l.doubleValue() <= 1)) {
            throw new FaceEngineException("the face module's liveness must be a number from 0 to 1", null);
        }
        try {
            return Optional.of(new FaceSample(e, l.floatValue()));
        } catch (IllegalArgumentException bad) {
            throw new FaceEngineException("the face module's answer is not usable: " + bad.getMessage(), bad);
        }
    }

    private static JsonObject call(HttpClient http, HttpRequest req) throws FaceEngineException {
        HttpResponse<String> r;
        try {
            r = http.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new FaceEngineException("the face module at " + req.uri().getAuthority() + " did not answer: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FaceEngineException("interrupted while waiting for the face module", e);
        }
        if (r.statusCode() != 200) {
            throw new FaceEngineException("the face module answered " + r.statusCode() + " to " + req.uri().getPath(), null);
        }
        if (r.body().length() > MAX_ANSWER_CHARS) {
            throw new FaceEngineException("the face module's answer is over " + MAX_ANSWER_CHARS + " characters", null);
        }
        try {
            return new JsonObject(r.body());
        } catch (RuntimeException e) {
            throw new FaceEngineException("the face module's answer is not a JSON object", e);
        }
    }

    @Override
    public void close() {
        // the JDK client holds no resources that outlive its connections' idle timeout
    }
}
