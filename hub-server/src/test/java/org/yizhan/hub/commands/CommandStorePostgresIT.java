package org.yizhan.hub.commands;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.yizhan.hub.db.TestRegistry;

/** The same tests on PostgreSQL. */
class CommandStorePostgresIT extends CommandStoreTest {

    @RegisterExtension
    static final TestRegistry POSTGRES = TestRegistry.postgres();

    @Override
    TestRegistry registry() {
        return POSTGRES;
    }
}
