package org.yizhan.agent.face;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.agent.camera.LumaFrame;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The ONNX engine on ONNX Runtime with a model written here byte by byte (ONNX protobuf): input
 * {@code [1,1,4,4]} → Flatten → MatMul with a known 16×3 matrix → {@code embedding} {@code [1,3]}, and
 * {@code liveness} = ReduceMean of the input. So the embedding it reports can be computed by hand.
 */
class OnnxFaceEngineTest {

    private static final float[] W = new float[16 * 3];

    static {
        for (int i = 0; i < 16; i++) {
            W[i * 3] = 1f;                        // column 0: sum of all pixels
            W[i * 3 + 1] = i < 8 ? 1f : -1f;      // column 1: top half minus bottom half
            W[i * 3 + 2] = (i % 4) < 2 ? 1f : -1f; // column 2: left half minus right half
        }
    }

    @Test
    void loadsAModelAndGivesTheL2NormalisedEmbeddingOfTheCentreCrop(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("face.onnx");
        Files.write(model, tinyModel());
        try (OnnxFaceEngine engine = OnnxFaceEngine.load(model, 0.5f, 0f, 255f)) {
            assertThat(engine.dimension()).as("from the model's output").isEqualTo(3);

            // 16x16 frame; the centre 8x8 (cropFraction 0.5) is bright on top (200) and dark below (50);
            // the border is 0 so a wrong crop would show
            byte[] luma = new byte[16 * 16];
            for (int y = 4; y < 12; y++) {
                for (int x = 4; x < 12; x++) {
                    luma[y * 16 + x] = (byte) (y < 8 ? 200 : 50);
                }
            }
            LumaFrame frame = new LumaFrame(luma, 16, 16);
            float[] input = engine.preprocess(frame);
            assertThat(input).as("the model's 4x4 input: 2x2 blocks of the 8x8 crop, /255").hasSize(4 * 4);
            assertThat(input[0]).isCloseTo(200f / 255, within(1e-4f));
            assertThat(input[15]).isCloseTo(50f / 255, within(1e-4f));

            FaceEngine.FaceSample s = engine.analyse(frame).orElseThrow();
            float top = 200f / 255;
            float bottom = 50f / 255;
            float[] raw = {8 * top + 8 * bottom, 8 * top - 8 * bottom, 0f};
            float norm = (float) Math.sqrt(raw[0] * raw[0] + raw[1] * raw[1]);
            assertThat(s.embedding()).containsExactly(new float[]{raw[0] / norm, raw[1] / norm, 0f}, within(1e-4f));
            assertThat(s.liveness()).as("ReduceMean of the input").isCloseTo((top + bottom) / 2, within(1e-4f));
        }
    }

    @Test
    void aMissingModelFileFailsClearly(@TempDir Path dir) {
        assertThatThrownBy(() -> OnnxFaceEngine.load(dir.resolve("none.onnx"), 0.6f, 127.5f, 127.5f))
                .isInstanceOf(FaceEngine.FaceEngineException.class).hasMessageContaining("face model file not found")
                .hasMessageContaining("none.onnx");
    }

    @Test
    void aCorruptModelFileFailsClearly(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.onnx");
        Files.write(bad, "this is not a model".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> OnnxFaceEngine.load(bad, 0.6f, 127.5f, 127.5f))
                .isInstanceOf(FaceEngine.FaceEngineException.class).hasMessageContaining("is not a usable ONNX model");
        byte[] good = tinyModel();
        Path truncated = dir.resolve("truncated.onnx");
        Files.write(truncated, java.util.Arrays.copyOf(good, good.length / 2));
        assertThatThrownBy(() -> OnnxFaceEngine.load(truncated, 0.6f, 127.5f, 127.5f))
                .isInstanceOf(FaceEngine.FaceEngineException.class).hasMessageContaining("truncated.onnx");
    }

    // ---- a minimal protobuf writer for the ONNX model

    static byte[] tinyModel() {
        Pb graph = new Pb()
                .msg(1, new Pb().str(1, "input").str(2, "flat").str(3, "flatten").str(4, "Flatten")
                        .msg(5, new Pb().str(1, "axis").i(3, 1).i(20, 2)))
                .msg(1, new Pb().str(1, "flat").str(1, "W").str(2, "embedding").str(3, "matmul").str(4, "MatMul"))
                .msg(1, new Pb().str(1, "input").str(2, "liveness").str(3, "mean").str(4, "ReduceMean")
                        .msg(5, new Pb().str(1, "axes").i(8, 1).i(8, 2).i(8, 3).i(20, 7))
                        .msg(5, new Pb().str(1, "keepdims").i(3, 0).i(20, 2)))
                .str(2, "tiny-face")
                .msg(5, new Pb().i(1, 16).i(1, 3).i(2, 1).str(8, "W").bytes(9, floats(W)))
                .msg(11, valueInfo("input", 1, 1, 4, 4))
                .msg(12, valueInfo("embedding", 1, 3))
                .msg(12, valueInfo("liveness", 1));
        return new Pb().i(1, 8).str(2, "yizhan-test").msg(7, graph).msg(8, new Pb().str(1, "").i(2, 13)).toBytes();
    }

    private static Pb valueInfo(String name, long... dims) {
        Pb shape = new Pb();
        for (long d : dims) {
            shape.msg(1, new Pb().i(1, d));
        }
        return new Pb().str(1, name).msg(2, new Pb().msg(1, new Pb().i(1, 1).msg(2, shape)));
    }

    private static byte[] floats(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putFloat(x);
        }
        return b.array();
    }

    /** Protobuf wire format: varints (type 0) and length-delimited fields (type 2). */
    static final class Pb {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Pb i(int field, long value) {
            varint((long) field << 3);
            varint(value);
            return this;
        }

        Pb str(int field, String s) {
            return bytes(field, s.getBytes(StandardCharsets.UTF_8));
        }

        Pb msg(int field, Pb m) {
            return bytes(field, m.toBytes());
        }

        Pb bytes(int field, byte[] b) {
            varint(((long) field << 3) | 2);
            varint(b.length);
            out.writeBytes(b);
            return this;
        }

        byte[] toBytes() {
            return out.toByteArray();
        }

        private void varint(long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
        }
    }
}
