package org.yizhan.protocol;

import java.util.Locale;
import java.util.Optional;

/** States of one charger port, as named on the wire. */
public enum ChargerState {
    AVAILABLE, OCCUPIED, CHARGING, FINISHING, FAULTED, DISABLED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<ChargerState> ofWire(String name) {
        for (ChargerState s : values()) {
            if (s.wireName().equals(name)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
