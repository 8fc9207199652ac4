package org.yizhan.hub.db;

import org.junit.jupiter.api.extension.RegisterExtension;

/** The same tests on PostgreSQL. */
class RegistryMigrationPostgresIT extends RegistryMigrationTest {

    @RegisterExtension
    static final TestRegistry POSTGRES = TestRegistry.postgres();

    @Override
    TestRegistry registry() {
        return POSTGRES;
    }
}
