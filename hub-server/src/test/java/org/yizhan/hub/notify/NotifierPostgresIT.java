package org.yizhan.hub.notify;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.yizhan.hub.db.TestRegistry;

/** The same rules, outbox and claims on PostgreSQL (the engine of hub replicas). */
class NotifierPostgresIT extends NotifierTest {

    @RegisterExtension
    static final TestRegistry POSTGRES = TestRegistry.postgres();

    @Override
    TestRegistry registry() {
        return POSTGRES;
    }
}
