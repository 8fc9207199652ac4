package org.yizhan.hub.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Database#durable}: on the H2 file registry, once it completes the file itself holds every commit made
 * before (what a hub killed at that moment leaves on disk), and many callers share few writes.
 */
@ExtendWith(VertxExtension.class)
class GroupFlushTest {

    private static final int COMMITS = 200;

    @Test
    void afterDurableTheFileHoldsEveryEarlierCommitAndWritesAreGrouped(Vertx vertx, @TempDir Path dir)
            throws Exception {
        Database db = Database.open(vertx, dir).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        try {
            assertThat(db.exclusive()).as("an H2 file is locked by the process that opened it").isTrue();
            await(db.call(c -> c.createStatement().execute("CREATE TABLE flush_probe (id VARCHAR(40) PRIMARY KEY)")));
            List<Future<Void>> all = new ArrayList<>();
            for (int i = 0; i < COMMITS; i++) {
                String id = UUID.randomUUID().toString();
                all.add(db.tx(c -> {
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO flush_probe VALUES (?)")) {
                        ps.setString(1, id);
                        return ps.executeUpdate();
                    }
                }).compose(n -> db.durable()));
            }
            await(Future.all(all));
            // the file as it is now is what a kill -9 would leave: a copy of it must hold every row
            Path copy = dir.resolve("copy");
            Files.createDirectories(copy);
            Files.copy(dir.resolve("registry.mv.db"), copy.resolve("registry.mv.db"));
            try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + copy.resolve("registry")
                    + ";ACCESS_MODE_DATA=r" + Database.H2_OPTIONS, "yizhan", "");
                 ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM flush_probe")) {
                rs.next();
                assertThat(rs.getInt(1)).as("rows in the file after durable()").isEqualTo(COMMITS);
            }
            assertThat(db.durableWrites()).as("writes for %d callers", COMMITS).isBetween(1L, COMMITS / 4L);
        } finally {
            await(db.close());
        }
    }

    @Test
    void callersFromManyContextsAtRandomMomentsAreAllAnsweredAndWritesStaySpaced(Vertx vertx, @TempDir Path dir)
            throws Exception {
        Database db = Database.open(vertx, dir).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        try {
            java.util.Random random = new java.util.Random(42);
            List<io.vertx.core.Promise<Void>> answered = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < 400; i++) {
                io.vertx.core.Promise<Void> p = io.vertx.core.Promise.promise();
                answered.add(p);
                // callers on event loops and workers, a few at once or alone, over about two seconds
                io.vertx.core.Context ctx = i % 3 == 0 ? vertx.getOrCreateContext() : null;
                long delay = 1 + random.nextInt(2000);
                Runnable ask = () -> db.durable().onComplete(p);
                vertx.setTimer(delay, t -> {
                    if (ctx == null) {
                        vertx.executeBlocking(() -> {
                            ask.run();
                            return null;
                        }, false);
                    } else {
                        ctx.runOnContext(v -> ask.run());
                    }
                });
            }
            await(Future.all(answered.stream().map(io.vertx.core.Promise::future).toList()));
            double seconds = (System.nanoTime() - start) / 1e9;
            assertThat(db.durableWrites()).as("writes over %.1f s", seconds)
                    .isBetween(1L, (long) (seconds * 1000 / GroupFlush.GAP_MILLIS) + 1);
        } finally {
            await(db.close());
        }
    }

    @Test
    void anInMemoryRegistryHasNothingToWrite(Vertx vertx) throws Exception {
        Database db = Database.open(vertx, "jdbc:h2:mem:flush-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1"
                + Database.H2_OPTIONS).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        try {
            await(db.durable());
            assertThat(db.durableWrites()).isZero();
            assertThat(db.exclusive()).as("other registries in this JVM may share it").isFalse();
        } finally {
            await(db.close());
        }
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
}
