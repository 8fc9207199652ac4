package org.yizhan.hub.http;

import java.util.Locale;
import java.util.Optional;

/**
 * What a signed-in person may do. Roles are ordered: a technician may do all an operator may, an admin all a
 * technician may. "operator+" calls take any role, technician calls technician or admin, admin calls admin.
 */
public enum Role {
    OPERATOR, TECHNICIAN, ADMIN;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean includes(Role required) {
        return ordinal() >= required.ordinal();
    }

    public static Optional<Role> ofWire(String name) {
        for (Role r : values()) {
            if (r.wireName().equals(name)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}
