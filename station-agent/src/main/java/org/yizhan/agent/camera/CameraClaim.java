package org.yizhan.agent.camera;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.Optional;

/**
 * Something at the kiosk that takes the door camera's frames before the door does, for a short while (face
 * enrolment with the door camera). Called on the station's context, by the camera scanner on the board and by
 * {@code /sim/camera} and {@code /sim/face} with {@code --simulate}, so both go the same way.
 */
public interface CameraClaim {

    /** Claims nothing: the door decides on every frame. */
    CameraClaim NONE = new CameraClaim() {
        @Override
        public Optional<Future<JsonObject>> pass(String text) {
            return Optional.empty();
        }

        @Override
        public Optional<Future<JsonObject>> frame(LumaFrame frame) {
            return Optional.empty();
        }
    };

    /** Empty when the door takes this pass as usual; otherwise the pass is taken here, with what became of it. */
    Optional<Future<JsonObject>> pass(String text);

    /** As {@link #pass}, for a frame in which no pass was found (the face door's frames). */
    Optional<Future<JsonObject>> frame(LumaFrame frame);
}
