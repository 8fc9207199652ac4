package org.yizhan.hub.mqtt;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.yizhan.hub.db.TestRegistry;

/** The same tests with the registry in PostgreSQL. */
class MqttIngestPostgresIT extends MqttIngestIT {

    @RegisterExtension
    static final TestRegistry POSTGRES = TestRegistry.postgres();

    @Override
    TestRegistry registry() {
        return POSTGRES;
    }
}
