package org.yizhan.hub.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.yizhan.hub.HubConfig;
import org.yizhan.hub.db.Database;
import org.yizhan.hub.db.Rows;
import org.yizhan.hub.db.TestRegistry;
import org.yizhan.hub.http.Role;

import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
class UserStoreTest {

    @RegisterExtension
    static final TestRegistry H2 = TestRegistry.h2();

    private Database db;
    private WorkerExecutor hashing;

    @BeforeEach
    void setUp(Vertx vertx) {
        db = await(H2.open(vertx));
        hashing = vertx.createSharedWorkerExecutor("test-hashing", 2);
    }

    @AfterEach
    void tearDown() {
        hashing.close();
        await(H2.close(db));
    }

    private int iterationsOf(String username) {
        return await(db.call(c -> Rows.one(c, "SELECT iterations FROM users WHERE username = ?", rs -> rs.getInt(1),
                username))).orElseThrow();
    }

    private int tokenVersionOf(String username) {
        return await(db.call(c -> Rows.one(c, "SELECT token_version FROM users WHERE username = ?",
                rs -> rs.getInt(1), username))).orElseThrow();
    }

    @Test
    void hashesWithOwaspsIterationsByDefault() {
        assertThat(HubConfig.defaults().passwordIterations()).isEqualTo(600_000)
                .isEqualTo(Passwords.OWASP_ITERATIONS);
    }

    @Test
    void rehashesAnOlderHashWithTheCurrentIterationsOnASuccessfulLogin() {
        Passwords.Hashed old = Passwords.hash("old-password-123", 120_000);
        await(db.call(c -> Rows.update(c, "INSERT INTO users (username, role, salt, hash, iterations, created_at) "
                + "VALUES ('ops', 'operator', ?, ?, ?, 0)", old.salt(), old.hash(), old.iterations())));
        UserStore users = new UserStore(db, hashing, Passwords.OWASP_ITERATIONS);

        assertThat(await(users.verify("ops", "wrong-password"))).isEmpty();
        assertThat(iterationsOf("ops")).as("a wrong password changes nothing").isEqualTo(120_000);

        Optional<UserStore.Account> in = await(users.verify("ops", "old-password-123"));
        assertThat(in).as("the old hash still verifies").map(UserStore.Account::role).contains(Role.OPERATOR);
        assertThat(iterationsOf("ops")).as("stored again with the current count").isEqualTo(600_000);
        assertThat(tokenVersionOf("ops")).as("the same password: the user's tokens stay").isZero();
        assertThat(await(users.verify("ops", "old-password-123"))).as("the new hash verifies").isPresent();
    }

    @Test
    void passwordRoleAndDisablingEachRaiseTheTokenVersion() {
        UserStore users = new UserStore(db, hashing, Passwords.MIN_ITERATIONS);
        await(users.create("tech", "first-password-1", Role.TECHNICIAN));
        assertThat(tokenVersionOf("tech")).isZero();

        assertThat(await(users.changePassword("tech", "not-the-password", "second-password-2"))).isEmpty();
        assertThat(tokenVersionOf("tech")).as("a wrong current password changes nothing").isZero();
        assertThat(await(users.changePassword("tech", "first-password-1", "second-password-2")))
                .map(UserStore.Account::tokenVersion).contains(1);
        await(users.update("tech", Optional.of(Role.OPERATOR), Optional.empty(), Optional.empty()));
        assertThat(tokenVersionOf("tech")).isEqualTo(2);
        await(users.update("tech", Optional.empty(), Optional.of(true), Optional.empty()));
        assertThat(tokenVersionOf("tech")).isEqualTo(3);
        assertThat(await(users.verify("tech", "second-password-2"))).as("disabled").isEmpty();
        await(users.update("tech", Optional.empty(), Optional.of(false), Optional.of("third-password-3")));
        assertThat(tokenVersionOf("tech")).isEqualTo(5);
        assertThat(await(users.verify("tech", "third-password-3"))).map(UserStore.Account::role)
                .contains(Role.OPERATOR);
    }

    static <T> T await(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
