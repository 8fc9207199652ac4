package org.yizhan.hub.stations;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import org.yizhan.hub.feature.HubFeature;
import org.yizhan.hub.http.Authenticator;
import org.yizhan.hub.http.Reply;
import org.yizhan.hub.http.Role;

/**
 * {@code GET /api/v1/ui}: the hub's settings the signed-in pages need, for operators and above. Today the map's
 * tile source ({@code map.tileUrl}, a template with {z}, {x} and {y} and maybe {s}, or empty for a map without
 * tiles), the attribution text the tile source asks for, the datum its tiles are drawn in ({@code coords}: wgs84
 * or gcj02) and what {s} stands for ({@code subdomains}).
 */
public final class PageSettingsRoutes implements HubFeature {

    private final JsonObject settings;
    private final Authenticator auth;

    public PageSettingsRoutes(String mapTileUrl, String mapTileAttribution, String coords, String subdomains,
                              Authenticator auth) {
        this.settings = new JsonObject().put("map", new JsonObject().put("tileUrl", mapTileUrl)
                .put("attribution", mapTileAttribution).put("coords", coords).put("subdomains", subdomains));
        this.auth = auth;
    }

    @Override
    public void mount(Router router) {
        auth.json(router.get("/api/v1/ui"), Role.OPERATOR, ctx -> Future.succeededFuture(Reply.ok(settings.copy())));
    }
}
