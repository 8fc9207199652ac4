package org.yizhan.protocol;

import java.util.Locale;
import java.util.Optional;

/** States of one charger port, as named on the wire. */
public enum ChargerState {
    AVAILABLE, OCCUPIED, CHARGING, FINISHING, FAULTED, DISABLED;

    private static final ChargerState[] ALL = values();

    /** The name on the wire, made once: it is written for every port of every telemetry message. */
    private final String wire = name().toLowerCase(Locale.ROOT);

    public String wireName() {
        return wire;
    }

    public static Optional<ChargerState> ofWire(String name) {
        for (ChargerState s : ALL) {
            if (s.wire.equals(name)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
