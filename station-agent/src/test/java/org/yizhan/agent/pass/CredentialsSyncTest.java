package org.yizhan.agent.pass;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.access.RiderPass;
import org.yizhan.agent.uplink.CommandFailure;
import org.yizhan.config.StationConfig;
import org.yizhan.protocol.Command;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.yizhan.testing.Futures.get;

/**
 * The {@code credentials.sync} command against the real revocation store in a temporary SQLite file: deltas
 * applied only onto a version they cover, pages of the whole list staged until every page of one version is in
 * (in any order), pages of older versions dropped, the list and its version kept across a restart, and bad args
 * refused with the field named.
 */
@ExtendWith(VertxExtension.class)
class CredentialsSyncTest {

    private final SecureRandom random = new SecureRandom();
    private Vertx vertx;
    private Path file;
    private AccessStore store;
    private AccessControl access;
    private CredentialsSync sync;
    private int ids;

    @BeforeEach
    void setUp(Vertx vertx, @TempDir Path dir) throws Exception {
        this.vertx = vertx;
        this.file = dir.resolve("access.db");
        open();
    }

    @AfterEach
    void tearDown() throws Exception {
        get(store.close());
    }

    private void open() throws Exception {
        store = new AccessStore(vertx, file);
        get(store.open());
        access = new AccessControl(vertx, store, StationConfig.Access.DEFAULTS, (type, data) -> { },
                () -> false, method -> Future.succeededFuture(), Clock.systemUTC());
        sync = new CredentialsSync(access);
    }

    private List<String> members(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(RiderPass.pseudonym(RiderPass.newMemberId(random)));
        }
        return out;
    }

    /** Runs the command as the dispatcher does; a failure, thrown at once or later, is thrown as it is. */
    private JsonObject run(JsonObject args) throws Exception {
        try {
            return get(sync.handle(new Command("c" + (++ids), System.currentTimeMillis(), Command.CREDENTIALS_SYNC,
                    args, System.currentTimeMillis() + 60_000)));
        } catch (ExecutionException e) {
            throw e.getCause() instanceof CommandFailure f ? f : e;
        }
    }

    private static JsonObject page(long version, int page, int pages, List<String> members) {
        return new JsonObject().put("mode", "full").put("version", version).put("page", page).put("pages", pages)
                .put("members", new JsonArray(members));
    }

    private static JsonObject delta(long from, long to, List<String> add, List<String> remove) {
        return new JsonObject().put("mode", "delta").put("from", from).put("to", to).put("add", new JsonArray(add))
                .put("remove", new JsonArray(remove));
    }

    @Test
    void appliesTheWholeListOnlyOnceEveryPageOfItsVersionIsInWhateverTheOrder() throws Exception {
        List<String> a = members(3);
        List<String> b = members(2);
        List<String> c = members(4);

        JsonObject third = run(page(10, 3, 3, c));
        JsonObject first = run(page(10, 1, 3, a));
        run(page(10, 1, 3, a));

        assertThat(third.getBoolean("applied")).isFalse();
        assertThat(first.getInteger("staged")).as("pages staged, the repeated one once").isEqualTo(2);
        assertThat(access.revocationVersion()).as("nothing applied with a page missing").isZero();
        assertThat(store.isRevoked(a.get(0))).isFalse();

        JsonObject last = run(page(10, 2, 3, b));

        assertThat(last.getBoolean("applied")).isTrue();
        assertThat(last.getLong("version")).isEqualTo(10);
        assertThat(last.getInteger("revoked")).isEqualTo(9);
        for (String m : List.of(a.get(0), b.get(1), c.get(3))) {
            assertThat(store.isRevoked(m)).as(m).isTrue();
        }
    }

    @Test
    void neverAppliesAListWithAMissingPageAndDropsPagesOfOlderVersions() throws Exception {
        List<String> old = members(2);
        List<String> next = members(2);
        run(page(7, 1, 2, old));

        run(page(8, 1, 2, next));
        JsonObject late = run(page(7, 2, 2, old));

        assertThat(late.getBoolean("superseded")).as("a page of an older version than the one staged").isTrue();
        assertThat(access.revocationVersion()).as("neither list is whole").isZero();
        assertThat(store.revokedCount()).isZero();

        run(page(8, 2, 2, next));
        assertThat(access.revocationVersion()).isEqualTo(8);
        assertThat(store.isRevoked(next.get(1))).isTrue();
        assertThat(store.isRevoked(old.get(0))).as("the older version's pages never mix in").isFalse();

        JsonObject stale = run(page(7, 2, 2, old));
        assertThat(stale.getBoolean("applied")).as("a page older than the list held").isFalse();
        assertThat(access.revocationVersion()).isEqualTo(8);
    }

    @Test
    void appliesADeltaOntoAnyVersionItCoversIgnoresAnOldOneAndRefusesAGap() throws Exception {
        List<String> base = members(3);
        run(page(20, 1, 1, base));
        List<String> added = members(1);

        JsonObject applied = run(delta(18, 21, added, List.of(base.get(0))));

        assertThat(applied.getBoolean("applied")).isTrue();
        assertThat(applied.getLong("version")).isEqualTo(21);
        assertThat(store.isRevoked(added.get(0))).isTrue();
        assertThat(store.isRevoked(base.get(0))).as("resumed").isFalse();
        assertThat(store.isRevoked(base.get(1))).isTrue();

        JsonObject old = run(delta(19, 21, List.of(base.get(0)), List.of()));
        assertThat(old.getBoolean("applied")).as("a delta to a version held already").isFalse();
        assertThat(store.isRevoked(base.get(0))).isFalse();

        assertThatThrownBy(() -> run(delta(22, 23, members(1), List.of())))
                .isInstanceOfSatisfying(CommandFailure.class, f -> assertThat(f.code()).isEqualTo("version-gap"))
                .hasMessageContaining("holds version 21");
        assertThat(access.revocationVersion()).isEqualTo(21);
    }

    @Test
    void keepsTheListAndItsVersionAcrossARestart() throws Exception {
        List<String> list = members(2);
        run(page(30, 2, 2, list.subList(1, 2)));
        run(page(30, 1, 2, list.subList(0, 1)));
        List<String> added = members(1);
        run(delta(30, 31, added, List.of(list.get(0))));

        get(store.close());
        open();

        assertThat(access.revocationVersion()).isEqualTo(31);
        assertThat(store.isRevoked(added.get(0))).isTrue();
        assertThat(store.isRevoked(list.get(1))).isTrue();
        assertThat(store.isRevoked(list.get(0))).isFalse();
        assertThat(run(delta(31, 32, List.of(), List.of(added.get(0)))).getBoolean("applied")).isTrue();
    }

    @Test
    void stillTakesTheListInOneCommandWithoutAMode() throws Exception {
        List<String> list = members(2);

        JsonObject r = run(new JsonObject().put("revoked", new JsonArray(list)).put("version", 4));

        assertThat(r.getBoolean("applied")).isTrue();
        assertThat(r.getLong("version")).isEqualTo(4);
        assertThat(store.isRevoked(list.get(1))).isTrue();
    }

    @Test
    void refusesBadArgsNamingTheFieldAndChangesNothing() throws Exception {
        String m = members(1).get(0);
        Map<String, JsonObject> bad = Map.of(
                "args.mode", new JsonObject().put("mode", "all"),
                "args.page", page(5, 0, 2, List.of(m)),
                "args.page ", page(5, 3, 2, List.of(m)),
                "args.pages", page(5, 1, 0, List.of(m)),
                "args.members", page(5, 1, 1, List.of(m)).put("members", "m-x"),
                "args.members[1]", page(5, 1, 1, List.of(m, "13800138000")),
                "args.version", page(-1, 1, 1, List.of(m)),
                "args.from", delta(6, 5, List.of(m), List.of()),
                "args.add and args.remove", delta(1, 5, List.of(m), List.of(m)),
                "args.remove", delta(1, 5, List.of(m), List.of()).put("remove", new JsonArray().add(7)));
        for (Map.Entry<String, JsonObject> e : bad.entrySet()) {
            assertThatThrownBy(() -> run(e.getValue())).as(e.getKey())
                    .isInstanceOfSatisfying(CommandFailure.class, f -> assertThat(f.code()).isEqualTo("invalid"))
                    .hasMessageContaining(e.getKey().trim());
        }
        assertThat(access.revocationVersion()).isZero();
        assertThat(store.revokedCount()).isZero();
    }
}
