package org.yizhan.agent.face;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import org.yizhan.agent.camera.QrDecoder;
import org.yizhan.agent.feature.AgentFeature;
import org.yizhan.agent.uplink.CommandDispatcher;
import org.yizhan.protocol.Command;

/**
 * Face entry as a station feature: the {@code face.consent}, {@code face.delete} and {@code face.sync} commands,
 * the {@code face} status block, the enrolment routes of the kiosk, and the engine and templates loaded at
 * start.
 */
public final class FaceFeature implements AgentFeature {

    private final Vertx vertx;
    private final FaceAccess face;
    private final CameraEnrolment enrolment;
    private final boolean simulate;

    public FaceFeature(Vertx vertx, FaceAccess face, CameraEnrolment enrolment, boolean simulate) {
        this.vertx = vertx;
        this.face = face;
        this.enrolment = enrolment;
        this.simulate = simulate;
    }

    @Override
    public void commands(CommandDispatcher commands) {
        FaceCommands faceCommands = new FaceCommands(face);
        commands.on(Command.FACE_CONSENT, faceCommands.consent());
        commands.on(Command.FACE_DELETE, faceCommands.delete());
        commands.on(Command.FACE_SYNC, faceCommands.sync());
    }

    @Override
    public void status(JsonObject status) {
        status.put("face", face.status());
    }

    @Override
    public void routes(Router router) {
        new FaceRoutes(vertx, face, new QrDecoder(), simulate, enrolment).accept(router);
    }

    @Override
    public Future<Void> start() {
        return face.start();
    }

    @Override
    public Future<Void> stop() {
        return face.stop();
    }
}
