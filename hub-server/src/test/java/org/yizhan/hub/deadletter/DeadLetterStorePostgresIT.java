package org.yizhan.hub.deadletter;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.yizhan.hub.db.TestRegistry;

/** The same tests on PostgreSQL. */
class DeadLetterStorePostgresIT extends DeadLetterStoreTest {

    @RegisterExtension
    static final TestRegistry POSTGRES = TestRegistry.postgres();

    @Override
    TestRegistry registry() {
        return POSTGRES;
    }
}
