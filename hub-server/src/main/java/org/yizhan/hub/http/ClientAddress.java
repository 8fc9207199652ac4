package org.yizhan.hub.http;

import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.List;

/**
 * The address a request came from, for rate limits and the client address the hub acts on. {@code
 * X-Forwarded-For} counts only when the direct peer is one of the {@code trusted-proxies}: then the client is the
 * right-most address in it that is not itself a trusted proxy (what a client sends in the header sits further
 * left, so it cannot choose its own address). From any other peer the header is ignored.
 */
public final class ClientAddress {

    /** Where {@link HttpApi} keeps the resolved address in the routing context. */
    static final String KEY = "yizhan.clientAddress";

    private ClientAddress() {
    }

    public static String of(RoutingContext ctx) {
        String resolved = ctx.get(KEY);
        return resolved != null ? resolved : peer(ctx);
    }

    static String peer(RoutingContext ctx) {
        SocketAddress a = ctx.request().remoteAddress();
        return a == null || a.host() == null ? "unknown" : a.host();
    }

    /** Resolves and keeps the request's client address; the first handler of every request. */
    static void resolveInto(RoutingContext ctx, IpRanges trustedProxies) {
        ctx.put(KEY, resolve(peer(ctx), ctx.request().headers().getAll("X-Forwarded-For"), trustedProxies));
        ctx.next();
    }

    /**
     * The client address given the direct peer and the {@code X-Forwarded-For} header lines.
     */
    public static String resolve(String peer, List<String> forwardedFor, IpRanges trustedProxies) {
        if (forwardedFor.isEmpty() || !trustedProxies.contains(peer)) {
            return peer;
        }
        List<String> hops = new ArrayList<>();
        for (String line : forwardedFor) {
            for (String part : line.split(",")) {
                hops.add(part.trim());
            }
        }
        String client = peer;
        for (int i = hops.size() - 1; i >= 0; i--) {
            String hop = withoutPort(hops.get(i));
            if (IpRanges.literal(hop).isEmpty()) {
                // not an address (garbage or "unknown"): the nearest trusted hop is as far as we can tell
                return client;
            }
            client = hop;
            if (!trustedProxies.contains(hop)) {
                return hop;
            }
        }
        return client;
    }

    /** {@code 1.2.3.4:5678} and {@code [::1]:5678} without the port; anything else as it is. */
    private static String withoutPort(String hop) {
        if (hop.startsWith("[")) {
            int end = hop.indexOf(']');
            return end > 0 ? hop.substring(1, end) : hop;
        }
        int colon = hop.indexOf(':');
        return colon > 0 && colon == hop.lastIndexOf(':') ? hop.substring(0, colon) : hop;
    }
}
