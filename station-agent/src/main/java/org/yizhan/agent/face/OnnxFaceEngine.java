package org.yizhan.agent.face;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import org.yizhan.agent.camera.LumaFrame;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link FaceEngine} running a face-recognition model that the operator installs as an ONNX file, with ONNX
 * Runtime on the station's CPU. The model takes one image as a float tensor {@code [1, C, H, W]} (C = 1 or 3,
 * H and W fixed) and gives the embedding as its first output ({@code [1, D]}, or the output named
 * {@code embedding}); a second output named {@code liveness} ({@code [1]} or {@code [1, 1]}, clamped to 0..1)
 * is taken as the liveness score. A model without one reports liveness 0, so it can pass a liveness threshold
 * only when the operator sets that threshold to 0 knowingly.
 *
 * <p>Preprocessing: this engine does not detect faces. The kiosk guides the face into the middle of the frame,
 * and the engine takes the centred square of {@code cropFraction} of the frame's shorter side, resizes it
 * bilinearly to W×H, maps each luminance value {@code y} to {@code (y - pixelMean) / pixelScale} (127.5 and 127.5
 * give -1..1, as ArcFace-style models expect) and repeats it in every channel. The embedding is L2-normalised.
 * Not thread-safe beyond one caller at a time.
 */
public final class OnnxFaceEngine implements FaceEngine {

    private final OrtSession session;
    private final String inputName;
    private final int channels;
    private final int height;
    private final int width;
    private final String embeddingName;
    private final Optional<String> livenessName;
    private final int dimension;
    private final float cropFraction;
    private final float mean;
    private final float scale;

    private OnnxFaceEngine(OrtSession session, String inputName, int channels, int height, int width,
                           String embeddingName, Optional<String> livenessName, float cropFraction, float mean,
                           float scale) throws FaceEngineException {
        this.session = session;
        this.inputName = inputName;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.embeddingName = embeddingName;
        this.livenessName = livenessName;
        this.cropFraction = cropFraction;
        this.mean = mean;
        this.scale = scale;
        this.dimension = run(new float[channels * height * width]).embedding.length;
    }

    /** Loads the model file; fails clearly when it is missing, unreadable or not a usable model. */
    public static OnnxFaceEngine load(Path modelFile, float cropFraction, float pixelMean, float pixelScale)
            throws FaceEngineException {
        byte[] model;
        try {
            model = Files.readAllBytes(modelFile);
        } catch (NoSuchFileException e) {
            throw new FaceEngineException("face model file not found: " + modelFile, e);
        } catch (IOException e) {
            throw new FaceEngineException("face model file cannot be read: " + modelFile + " (" + e + ")", e);
        }
        OrtEnvironment env;
        try {
            env = OrtEnvironment.getEnvironment();
        } catch (RuntimeException | LinkageError e) {
            throw new FaceEngineException("ONNX Runtime cannot start on this machine: " + e, e);
        }
        OrtSession session;
        try {
            session = env.createSession(model, new OrtSession.SessionOptions());
        } catch (OrtException e) {
            throw new FaceEngineException("face model file " + modelFile + " is not a usable ONNX model: "
                    + e.getMessage(), e);
        }
        try {
            return of(session, modelFile, cropFraction, pixelMean, pixelScale);
        } catch (FaceEngineException | RuntimeException e) {
            closeQuietly(session);
            throw e;
        }
    }

    private static OnnxFaceEngine of(OrtSession session, Path file, float crop, float mean, float scale)
            throws FaceEngineException {
        try {
            Map<String, NodeInfo> inputs = session.getInputInfo();
            if (inputs.size() != 1) {
                throw new FaceEngineException(file + ": the model must take one input, it takes " + inputs.size(), null);
            }
            NodeInfo in = inputs.values().iterator().next();
            if (!(in.getInfo() instanceof TensorInfo ti) || ti.type != OnnxJavaType.FLOAT || ti.getShape().length != 4) {
                throw new FaceEngineException(file + ": the model input must be a float tensor [1, C, H, W]", null);
            }
            long[] s = ti.getShape();
            if (!(s[1] == 1 || s[1] == 3) || s[2] < 1 || s[3] < 1 || s[2] > 1024 || s[3] > 1024) {
                throw new FaceEngineException(file + ": the model input must be [1, 1 or 3, H, W] with fixed H and W "
                        + "up to 1024, it is " + java.util.Arrays.toString(s), null);
            }
            Map<String, NodeInfo> outputs = session.getOutputInfo();
            String embedding = outputs.containsKey("embedding") ? "embedding" : outputs.keySet().iterator().next();
            Optional<String> liveness = outputs.containsKey("liveness") ? Optional.of("liveness") : Optional.empty();
            return new OnnxFaceEngine(session, in.getName(), (int) s[1], (int) s[2], (int) s[3], embedding, liveness,
                    crop, mean, scale);
        } catch (OrtException e) {
            throw new FaceEngineException(file + ": the model cannot be inspected: " + e.getMessage(), e);
        }
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public Optional<FaceSample> analyse(LumaFrame frame) throws FaceEngineException {
        Out out = run(preprocess(frame));
        double sum = 0;
        for (float x : out.embedding) {
            if (!Float.isFinite(x)) {
                throw new FaceEngineException("the face model gave a value that is not finite", null);
            }
            sum += (double) x * x;
        }
        if (sum == 0) {
            return Optional.empty();
        }
        float inv = (float) (1 / Math.sqrt(sum));
        float[] unit = new float[out.embedding.length];
        for (int i = 0; i < unit.length; i++) {
            unit[i] = out.embedding[i] * inv;
        }
        return Optional.of(new FaceSample(unit, out.liveness));
    }

    /** The model input for a frame: centred square crop, bilinear resize, normalised, in every channel (NCHW). */
    float[] preprocess(LumaFrame f) {
        int side = Math.max(1, Math.round(Math.min(f.width(), f.height()) * cropFraction));
        float x0 = (f.width() - side) / 2f;
        float y0 = (f.height() - side) / 2f;
        float[] plane = new float[height * width];
        byte[] luma = f.luma();
        for (int y = 0; y < height; y++) {
            float sy = y0 + (y + 0.5f) * side / height - 0.5f;
            int iy = (int) Math.floor(sy);
            float fy = sy - iy;
            int y1 = clamp(iy, f.height());
            int y2 = clamp(iy + 1, f.height());
            for (int x = 0; x < width; x++) {
                float sx = x0 + (x + 0.5f) * side / width - 0.5f;
                int ix = (int) Math.floor(sx);
                float fx = sx - ix;
                int x1 = clamp(ix, f.width());
                int x2 = clamp(ix + 1, f.width());
                float a = luma[y1 * f.width() + x1] & 0xff;
                float b = luma[y1 * f.width() + x2] & 0xff;
                float c = luma[y2 * f.width() + x1] & 0xff;
                float d = luma[y2 * f.width() + x2] & 0xff;
                float v = (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy;
                plane[y * width + x] = (v - mean) / scale;
            }
        }
        float[] input = new float[channels * plane.length];
        for (int ch = 0; ch < channels; ch++) {
            System.arraycopy(plane, 0, input, ch * plane.length, plane.length);
        }
        return input;
    }

    private static int clamp(int i, int n) {
        return i < 0 ? 0 : Math.min(i, n - 1);
    }

    private record Out(float[] embedding, float liveness) {
    }

    private Out run(float[] input) throws FaceEngineException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), new long[]{1, channels, height, width});
             OrtSession.Result r = session.run(Map.of(inputName, t))) {
            float[] e = flat(r.get(embeddingName).orElseThrow());
            float live = 0f;
            if (livenessName.isPresent()) {
                float[] l = flat(r.get(livenessName.get()).orElseThrow());
                live = l.length == 0 || !Float.isFinite(l[0]) ? 0f : Math.max(0f, Math.min(1f, l[0]));
            }
            if (e.length == 0) {
                throw new FaceEngineException("the face model gave an empty embedding", null);
            }
            return new Out(e, live);
        } catch (OrtException e) {
            throw new FaceEngineException("the face model failed to run: " + e.getMessage(), e);
        }
    }

    private static float[] flat(OnnxValue v) throws FaceEngineException, OrtException {
        if (!(v instanceof OnnxTensor t) || t.getInfo().type != OnnxJavaType.FLOAT) {
            throw new FaceEngineException("a face model output is not a float tensor", null);
        }
        FloatBuffer b = t.getFloatBuffer();
        float[] out = new float[b.remaining()];
        b.get(out);
        return out;
    }

    @Override
    public void close() {
        closeQuietly(session);
    }

    private static void closeQuietly(OrtSession s) {
        try {
            s.close();
        } catch (OrtException ignored) {
            // closing a session that failed to load; nothing else to free
        }
    }
}
