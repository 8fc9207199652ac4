package org.yizhan.hub.commands;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.yizhan.hub.db.Database;
import org.yizhan.hub.db.Rows;
import org.yizhan.hub.db.TestRegistry;
import org.yizhan.protocol.Command;
import org.yizhan.protocol.CommandResult;

import java.sql.PreparedStatement;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(VertxExtension.class)
class CommandStoreTest {

    @RegisterExtension
    static final TestRegistry H2 = TestRegistry.h2();

    /** The engine the tests run on; the PostgreSQL subclass overrides it. */
    TestRegistry registry() {
        return H2;
    }

    private Database db;
    private CommandStore store;

    @BeforeEach
    void setUp(Vertx vertx) {
        db = await(registry().open(vertx));
        store = new CommandStore(db);
        for (String id : new String[]{"st-1", "st-2"}) {
            await(db.call(c -> {
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO stations (id, name, profile, created_at) VALUES (?, 'x', 'simulated', 0)")) {
                    ps.setString(1, id);
                    ps.executeUpdate();
                }
                return null;
            }));
        }
    }

    @AfterEach
    void tearDown() {
        await(registry().close(db));
    }

    @Test
    void walksACommandFromPendingThroughDeliveredToSucceeded() {
        JsonObject created = await(store.create("st-1", "door.unlock", new JsonObject().put("seconds", 5), 30_000, "ops"));
        String id = created.getString("id");
        assertThat(created.getString("status")).isEqualTo("pending");
        assertThat(await(store.pendingFor("st-1", System.currentTimeMillis())))
                .extracting(Command::id, Command::name).containsExactly(org.assertj.core.groups.Tuple.tuple(id, "door.unlock"));
        assertThat(await(store.pendingFor("st-2", System.currentTimeMillis()))).isEmpty();

        assertThat(await(store.markDelivered(id, 10))).isTrue();
        assertThat(await(store.markDelivered(id, 11))).as("only once").isFalse();
        assertThat(await(store.complete("st-2", CommandResult.ok(1, id), 12))).as("another station's").isFalse();
        assertThat(await(store.complete("st-1", CommandResult.failed(1, id, "jammed", "lock did not move"), 13))).isTrue();
        assertThat(await(store.complete("st-1", CommandResult.ok(1, id), 14))).as("result repeated").isFalse();

        JsonObject got = await(store.get(id)).orElseThrow();
        assertThat(got.getString("status")).isEqualTo("failed");
        assertThat(got.getLong("deliveredAt")).isEqualTo(10);
        assertThat(got.getLong("completedAt")).isEqualTo(13);
        assertThat(got.getJsonObject("result").getJsonObject("error").getString("code")).isEqualTo("jammed");
        assertThat(got.getJsonObject("args").getInteger("seconds")).isEqualTo(5);
        assertThat(await(store.get("01HNOPE0000000000000000000"))).isEmpty();
    }

    @Test
    void theExpiryPassReadsOpenCommandsThroughItsIndexNotTheWholeTable() {
        String plan = await(db.call(c -> {
            boolean postgres = c.getMetaData().getDatabaseProductName().toLowerCase().contains("postgres");
            if (postgres) {
                // on a table this small PostgreSQL would read it all anyway: ask whether the index can serve
                c.createStatement().execute("SET enable_seqscan = off");
            }
            try (PreparedStatement ps = c.prepareStatement("EXPLAIN " + CommandStore.EXPIRE_DUE_SQL)) {
                Rows.bind(ps, "pending", "delivered", 1L);
                StringBuilder b = new StringBuilder();
                try (var rs = ps.executeQuery()) {
                    while (rs.next()) {
                        b.append(rs.getString(1)).append('\n');
                    }
                }
                if (postgres) {
                    c.createStatement().execute("RESET enable_seqscan");
                }
                return b.toString();
            }
        }));
        assertThat(plan.toLowerCase()).as("the expiry query's plan").contains("commands_status_expires");
    }

    @Test
    void expiresPendingAndDeliveredCommandsPastTheirTime() {
        JsonObject a = await(store.create("st-1", "door.unlock", new JsonObject(), 1_000, "ops"));
        JsonObject b = await(store.create("st-1", "selftest.run", new JsonObject(), 1_000, "ops"));
        JsonObject c = await(store.create("st-1", "selftest.run", new JsonObject(), 600_000, "ops"));
        await(store.markDelivered(b.getString("id"), 1));
        long later = Math.max(a.getLong("expiresAt"), b.getLong("expiresAt")) + 1;

        assertThat(await(store.pendingFor("st-1", later))).extracting(Command::id).containsExactly(c.getString("id"));
        assertThat(await(store.expireDue(later))).isEqualTo(2);
        assertThat(await(store.expireDue(later))).isZero();
        assertThat(await(store.get(a.getString("id")))).get()
                .satisfies(x -> assertThat(x.getString("status")).isEqualTo("expired"));
        assertThat(await(store.get(c.getString("id")))).get()
                .satisfies(x -> assertThat(x.getString("status")).isEqualTo("pending"));
    }

    @Test
    void refusesUnknownCommandNames() {
        assertThatThrownBy(() -> store.create("st-1", "door.explode", new JsonObject(), 1000, "ops")
                .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("door.explode");
    }

    static <T> T await(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
