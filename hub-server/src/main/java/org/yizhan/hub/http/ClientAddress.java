package org.yizhan.hub.http;

import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;

/** The address a request came from, for rate limits. Forwarding headers are not trusted. */
public final class ClientAddress {

    private ClientAddress() {
    }

    public static String of(RoutingContext ctx) {
        SocketAddress a = ctx.request().remoteAddress();
        return a == null || a.host() == null ? "unknown" : a.host();
    }
}
