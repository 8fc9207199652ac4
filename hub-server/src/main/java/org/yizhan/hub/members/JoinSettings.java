package org.yizhan.hub.members;

import java.util.Optional;

/**
 * The join policy and, for {@link JoinPolicy#SMS}, the webhook of the SMS gateway: its URL, the secret it is sent
 * as a bearer token, and how long one try may take.
 */
public record JoinSettings(JoinPolicy policy, String smsGatewayUrl, Optional<String> smsGatewaySecret,
                           int smsGatewayTimeoutMs) {

    public static final int DEFAULT_TIMEOUT_MS = 5000;

    public static JoinSettings open() {
        return new JoinSettings(JoinPolicy.OPEN, "", Optional.empty(), DEFAULT_TIMEOUT_MS);
    }

    @Override
    public String toString() {
        return policy.setting() + (smsGatewayUrl.isEmpty() ? "" : " via " + smsGatewayUrl + " (secret ***, "
                + smsGatewayTimeoutMs + " ms)");
    }
}
