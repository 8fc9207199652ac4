package org.yizhan.hub.http;

/** The signed-in user of a request. */
public record Principal(String username, Role role) {
}
