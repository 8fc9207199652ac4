package org.yizhan.hub.http;

import io.vertx.ext.web.Router;

/** One feature's HTTP routes, mounted on the hub's router. */
public interface ApiRoutes {

    void mount(Router router);
}
