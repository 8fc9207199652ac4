package org.yizhan.hub.face;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.yizhan.hub.db.TestRegistry;

/** The same tests on PostgreSQL: V12 and the sealed templates there too. */
class FaceTemplateStorePostgresIT extends FaceTemplateStoreTest {

    @RegisterExtension
    static final TestRegistry POSTGRES = TestRegistry.postgres();

    @Override
    TestRegistry registry() {
        return POSTGRES;
    }
}
