package org.yizhan.hub.ingest;

import java.util.List;

/**
 * Where the hub's acknowledgement of a station's events goes (contract 1.1, {@code .../events/ack}): the embedded
 * MQTT endpoint sends it on the station's connection, a hub behind a broker publishes it to the broker.
 * {@link Ingest} calls it once the ids are settled (committed now, stored before, or dead-lettered), before the
 * transport acknowledges the PUBLISH that carried them.
 */
@FunctionalInterface
public interface EventAcks {

    /** Sends nothing (a transport whose PUBACK is the only acknowledgement). */
    EventAcks NONE = (stationId, ids) -> { };

    /**
     * Sends the ids (one to {@link org.yizhan.protocol.Limits#ACK_IDS}, ULIDs) to the station at
     * QoS 1, not retained. Runs on the caller's event loop and must not block. An acknowledgement may be lost: the
     * station sends the events again, the duplicate ids are ignored by the store and acknowledged again.
     */
    void acknowledge(String stationId, List<String> ids);
}
