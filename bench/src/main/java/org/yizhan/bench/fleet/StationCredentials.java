package org.yizhan.bench.fleet;

import org.yizhan.protocol.Topics;

/** What one simulated station connects with: its id (also the MQTT client id), username and password. */
public record StationCredentials(String stationId, String username, String password) {

    public StationCredentials {
        Topics.requireStationId(stationId);
        if (username.isEmpty()) {
            throw new IllegalArgumentException("username must not be empty");
        }
    }

    /** Credentials for a broker that allows anonymous clients: the password is not checked. */
    public static StationCredentials anonymous(String stationId) {
        return new StationCredentials(stationId, stationId, "-");
    }
}
