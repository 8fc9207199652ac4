package org.yizhan.hub.http;

import io.vertx.ext.web.Router;

/** One feature's HTTP routes, mounted on the hub's router. */
public interface ApiRoutes {

    void mount(Router router);

    /**
     * Mounts what must run before the API's common body handler, such as a body handler with a larger limit for
     * one route; nothing by default.
     */
    default void mountFirst(Router router) {
    }
}
