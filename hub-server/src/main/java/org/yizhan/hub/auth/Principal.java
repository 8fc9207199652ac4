package org.yizhan.hub.auth;

/** The signed-in user of a request. */
public record Principal(String username, Role role) {
}
