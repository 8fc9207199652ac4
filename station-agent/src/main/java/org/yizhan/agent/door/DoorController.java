package org.yizhan.agent.door;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.agent.hardware.BinaryInput;
import org.yizhan.agent.hardware.Gpio;
import org.yizhan.agent.hardware.Relay;
import org.yizhan.agent.uplink.EventSink;
import org.yizhan.config.StationConfig;
import org.yizhan.protocol.EventType;

/**
 * The door: releases the strike for a pulse (remote unlock, exit button), and watches the contact for
 * {@code door.opened}/{@code door.closed}, forced opening (opened while locked) and a door held open
 * longer than {@code heldOpenSeconds}. Runs on the station's context; the relay is driven through {@link Gpio}.
 */
public final class DoorController {

    private static final Logger LOG = LoggerFactory.getLogger(DoorController.class);

    private final Vertx vertx;
    private final Gpio gpio;
    private final Relay relay;
    private final BinaryInput contact;
    private final BinaryInput exitButton;
    private final EventSink events;
    private final Runnable changed;
    private volatile StationConfig.Door config;

    private boolean open;
    private boolean unlocked;
    private long relockTimer = -1;
    private long heldTimer = -1;
    private String unlockReason = "";

    public DoorController(Vertx vertx, Gpio gpio, Relay relay, BinaryInput contact, BinaryInput exitButton,
                          StationConfig.Door config, EventSink events, Runnable changed) {
        this.vertx = vertx;
        this.gpio = gpio;
        this.relay = relay;
        this.contact = contact;
        this.exitButton = exitButton;
        this.config = config;
        this.events = events;
        this.changed = changed;
    }

    public Future<Void> start() {
        gpio.listen(contact, this::onContact);
        gpio.listen(exitButton, pressed -> {
            if (pressed) {
                unlock(config.unlockSeconds(), "exit");
            }
        });
        return gpio.call(contact::isActive).compose(isOpen -> {
            open = isOpen;
            return gpio.set(relay, false);
        });
    }

    public boolean isOpen() {
        return open;
    }

    public boolean isLocked() {
        return !unlocked;
    }

    public void configure(StationConfig.Door door) {
        this.config = door;
    }

    public int defaultUnlockSeconds() {
        return config.unlockSeconds();
    }

    /** Releases the strike for {@code seconds} (a later unlock extends the pulse). */
    public Future<Void> unlock(int seconds, String reason) {
        unlocked = true;
        unlockReason = reason;
        if (relockTimer >= 0) {
            vertx.cancelTimer(relockTimer);
        }
        relockTimer = vertx.setTimer(seconds * 1000L, t -> {
            relockTimer = -1;
            unlocked = false;
            gpio.set(relay, false).onFailure(err -> LOG.error("Could not lock the door: {}", err.toString()));
            changed.run();
        });
        LOG.info("Door unlocked for {} s ({})", seconds, reason);
        changed.run();
        return gpio.set(relay, true);
    }

    /** Locks at once (shutdown). */
    public Future<Void> lock() {
        if (relockTimer >= 0) {
            vertx.cancelTimer(relockTimer);
            relockTimer = -1;
        }
        if (heldTimer >= 0) {
            vertx.cancelTimer(heldTimer);
            heldTimer = -1;
        }
        unlocked = false;
        return gpio.set(relay, false);
    }

    private void onContact(boolean nowOpen) {
        if (nowOpen == open) {
            return;
        }
        open = nowOpen;
        if (nowOpen) {
            boolean forced = !unlocked;
            events.emit(EventType.DOOR_OPENED, new JsonObject().put("authorised", !forced)
                    .put("via", forced ? "none" : unlockReason));
            if (forced) {
                LOG.warn("Door forced open");
                events.emit(EventType.DOOR_FORCED, new JsonObject());
            }
            int held = config.heldOpenSeconds();
            heldTimer = vertx.setTimer(held * 1000L, t -> {
                heldTimer = -1;
                if (open) {
                    events.emit(EventType.DOOR_HELD_OPEN, new JsonObject().put("seconds", held));
                }
            });
        } else {
            if (heldTimer >= 0) {
                vertx.cancelTimer(heldTimer);
                heldTimer = -1;
            }
            events.emit(EventType.DOOR_CLOSED, new JsonObject());
        }
        changed.run();
    }
}
