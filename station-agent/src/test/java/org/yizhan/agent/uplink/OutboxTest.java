package org.yizhan.agent.uplink;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.config.StationConfig;
import org.yizhan.protocol.Event;
import org.yizhan.protocol.Ulid;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** The outbox on a real SQLite file: its limits, and an outbox file from before the sequence. */
@ExtendWith(VertxExtension.class)
class OutboxTest {

    @TempDir
    Path dir;

    private static <T> T get(io.vertx.core.Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static Event event(String type, int n) {
        return Event.of(type, System.currentTimeMillis(), new JsonObject().put("n", n));
    }

    private static List<String> types(List<OutboxStore.Row> rows) {
        return rows.stream().map(r -> r.event().type() + "#" + r.event().data().getInteger("n", 0)).toList();
    }

    @Test
    void keepsDoorAndAccessEventsAndEvictsTheOldestOtherEventAtTheLimit(Vertx vertx) throws Exception {
        Outbox outbox = new Outbox(vertx, dir.resolve("outbox.db"), new StationConfig.OutboxLimits(3, 1 << 20, 3, 1 << 18));
        get(outbox.open());
        get(outbox.append(event("door.opened", 1)));
        get(outbox.append(event("charger.session_ended", 2)));
        get(outbox.append(event("access.granted", 3)));
        get(outbox.append(event("access.granted", 4)));
        assertThat(types(get(outbox.after(0, 100)))).as("the session event made room, then came the alarm")
                .containsExactly("door.opened#1", "access.granted#3", "access.granted#4", "outbox.alarm#0");
        assertThat(outbox.evicted()).isEqualTo(1);

        Throwable refused = catchThrowable(() -> get(outbox.append(event("access.granted", 5))));
        assertThat(refused).as("nothing left to evict: refused, not dropped silently")
                .hasRootCauseInstanceOf(Outbox.OutboxFullException.class);
        assertThat(outbox.refused()).isEqualTo(1);
        assertThat(types(get(outbox.after(0, 100)))).doesNotContain("access.granted#5");
        get(outbox.close());
    }

    @Test
    void opensAnOutboxFileFromBeforeTheSequenceWithItsRowsInTheirOrder(Vertx vertx) throws Exception {
        Path file = dir.resolve("outbox.db");
        List<String> ids = List.of(Ulid.next(1_767_225_600_000L), Ulid.next(1_767_225_600_001L));
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement s = c.createStatement()) {
            s.execute("CREATE TABLE outbox (id TEXT PRIMARY KEY, ts INTEGER NOT NULL, type TEXT NOT NULL, "
                    + "data TEXT NOT NULL) WITHOUT ROWID");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO outbox VALUES (?, ?, ?, ?)")) {
                for (int i = ids.size() - 1; i >= 0; i--) {
                    ps.setString(1, ids.get(i));
                    ps.setLong(2, 1_767_225_600_000L + i);
                    ps.setString(3, "door.opened");
                    ps.setString(4, new JsonObject().put("n", i).encode());
                    ps.executeUpdate();
                }
            }
        }
        Outbox outbox = new Outbox(vertx, file);
        get(outbox.open());
        assertThat(outbox.size()).isEqualTo(2);
        Event next = event("door.closed", 9);
        get(outbox.append(next));
        List<OutboxStore.Row> rows = get(outbox.after(0, 100));
        assertThat(rows).extracting(r -> r.event().id()).as("old rows kept in id order, new ones after")
                .containsExactly(ids.get(0), ids.get(1), next.id());
        assertThat(rows.get(2).seq()).isGreaterThan(rows.get(1).seq());
        get(outbox.delete(List.of(ids.get(0))));
        get(outbox.close());

        Outbox again = new Outbox(vertx, file);
        get(again.open());
        assertThat(again.size()).as("reopened as it was left").isEqualTo(2);
        get(again.close());
    }
}
