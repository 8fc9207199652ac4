package org.yizhan.testing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

/** The hub's HTTP API over loopback as Vert.x futures; {@link TestHub#client()} gives one. */
public final class HubClient {

    private final WebClient client;
    private final int port;

    HubClient(Vertx vertx, int port) {
        this.client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));
        this.port = port;
    }

    public int port() {
        return port;
    }

    public Future<HttpResponse<Buffer>> get(String path) {
        return client.get(path).send();
    }

    public Future<HttpResponse<Buffer>> get(String path, String token) {
        return bearer(client.get(path), token).send();
    }

    public Future<HttpResponse<Buffer>> post(String path, JsonObject body) {
        return client.post(path).sendJsonObject(body);
    }

    public Future<HttpResponse<Buffer>> post(String path, String token, JsonObject body) {
        return bearer(client.post(path), token).sendJsonObject(body);
    }

    public Future<HttpResponse<Buffer>> postRaw(String path, String token, Buffer body) {
        return bearer(client.post(path), token).putHeader("Content-Type", "application/json").sendBuffer(body);
    }

    public Future<String> login(String username, String password) {
        return post("/api/v1/auth/login", new JsonObject().put("username", username).put("password", password))
                .map(r -> {
                    if (r.statusCode() != 200) {
                        throw new IllegalStateException("login of " + username + " gave " + r.statusCode() + " " + r.bodyAsString());
                    }
                    return r.bodyAsJsonObject().getString("token");
                });
    }

    public Future<String> admin() {
        return login("admin", TestHub.ADMIN_PASSWORD);
    }

    /** Creates a user with the role (as admin) and signs in as that user. */
    public Future<String> userWithRole(String username, String role) {
        String pw = password(username);
        return admin().compose(t -> post("/api/v1/users", t,
                        new JsonObject().put("username", username).put("password", pw).put("role", role)))
                .compose(r -> r.statusCode() == 201 || r.statusCode() == 409 ? login(username, pw)
                        : Future.failedFuture("creating " + username + " gave " + r.statusCode() + " " + r.bodyAsString()));
    }

    static String password(String username) {
        return "pw-" + username + "-0123456789";
    }

    static JsonObject station(String name) {
        return new JsonObject().put("name", name).put("address", "杭州市西湖区 1 号").put("lat", 30.25).put("lon", 120.15)
                .put("profile", "simulated").put("ports", 4).put("capacity", 20);
    }

    /** Registers a station as a technician; the 201 body. */
    public Future<JsonObject> createStation(String technicianToken, JsonObject spec) {
        return post("/api/v1/stations", technicianToken, spec).map(r -> {
            if (r.statusCode() != 201) {
                throw new IllegalStateException("create station gave " + r.statusCode() + " " + r.bodyAsString());
            }
            return r.bodyAsJsonObject();
        });
    }

    private static HttpRequest<Buffer> bearer(HttpRequest<Buffer> req, String token) {
        return req.putHeader("Authorization", "Bearer " + token);
    }
}
