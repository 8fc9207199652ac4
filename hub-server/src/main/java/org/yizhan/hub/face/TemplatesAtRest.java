package org.yizhan.hub.face;

import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.hub.feature.HubFeature;

/**
 * Seals at start the face templates the registry holds in the clear (rows from before V12) or under the previous
 * key (after a rotation), so that once the hub is up no template sits in the registry unsealed. The hub does not
 * start when a row cannot be opened: the key file is missing or wrong, and starting would hide that.
 */
public final class TemplatesAtRest implements HubFeature {

    private static final Logger LOG = LoggerFactory.getLogger(TemplatesAtRest.class);

    private final FaceConsentStore store;

    public TemplatesAtRest(FaceConsentStore store) {
        this.store = store;
    }

    @Override
    public Future<Void> start() {
        return store.sealAtRest().map(n -> {
            if (n > 0) {
                LOG.info("Sealed {} face templates at rest under the current face template key", n);
            }
            return (Void) null;
        });
    }
}
