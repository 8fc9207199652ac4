package org.yizhan.agent.face;

import org.yizhan.agent.camera.LumaFrame;

import java.util.Optional;

/**
 * Turns a camera frame into a face embedding and a liveness score. Implementations wrap a face module or a
 * model file the operator installs; the door never depends on one of them, only on this interface and on
 * {@link FaceMatcher}, which compares the embeddings. Blocking CPU (or device) work: call it on a worker
 * thread. Implementations are safe to call from one thread at a time at least.
 */
public interface FaceEngine extends AutoCloseable {

    /** One face found in a frame: its embedding ({@link #dimension()} values, any scale) and liveness 0..1. */
    record FaceSample(float[] embedding, float liveness) {

        public FaceSample {
            if (embedding.length == 0) {
                throw new IllegalArgumentException("embedding: must not be empty");
            }
            if (!(liveness >= 0f && liveness <= 1f)) {
                throw new IllegalArgumentException("liveness: must be 0..1, was " + liveness);
            }
            embedding = embedding.clone();
        }

        @Override
        public float[] embedding() {
            return embedding.clone();
        }
    }

    /** The length of the embeddings this engine produces. */
    int dimension();

    /** The most prominent face in the frame, or empty when there is none the engine can use. */
    Optional<FaceSample> analyse(LumaFrame frame) throws FaceEngineException;

    @Override
    void close();

    /** The engine failed (not "no face": that is an empty result). */
    final class FaceEngineException extends Exception {
        public FaceEngineException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
