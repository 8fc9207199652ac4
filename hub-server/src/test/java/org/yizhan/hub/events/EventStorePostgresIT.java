package org.yizhan.hub.events;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.yizhan.hub.db.TestRegistry;

/** The same tests on PostgreSQL. */
class EventStorePostgresIT extends EventStoreTest {

    @RegisterExtension
    static final TestRegistry POSTGRES = TestRegistry.postgres();

    @Override
    TestRegistry registry() {
        return POSTGRES;
    }
}
