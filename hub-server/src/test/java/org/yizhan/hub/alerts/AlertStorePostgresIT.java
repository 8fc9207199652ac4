package org.yizhan.hub.alerts;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.yizhan.hub.db.TestRegistry;

/** The same tests on PostgreSQL. */
class AlertStorePostgresIT extends AlertStoreTest {

    @RegisterExtension
    static final TestRegistry POSTGRES = TestRegistry.postgres();

    @Override
    TestRegistry registry() {
        return POSTGRES;
    }
}
