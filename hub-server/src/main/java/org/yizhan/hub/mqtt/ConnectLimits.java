package org.yizhan.hub.mqtt;

import org.yizhan.hub.http.IpRanges;

/**
 * What the MQTT endpoint allows a connection before it has completed CONNECT: {@code timeoutSeconds} from accept to
 * a decoded CONNECT ({@code mqtt-connect-timeout-seconds}), and per source address (an IPv4 address, an IPv6 /64)
 * a token bucket of {@code burstPerAddress} attempts refilled at {@code perSecondPerAddress}
 * ({@code mqtt-connects-per-second-per-address}, {@code mqtt-connect-burst-per-address}); addresses in
 * {@code exempt} ({@code mqtt-connect-limit-exempt}) are not counted.
 */
public record ConnectLimits(int timeoutSeconds, int perSecondPerAddress, int burstPerAddress, IpRanges exempt) {

    /** Loopback only: a proxy or a test fleet on the same host. */
    public static final String DEFAULT_EXEMPT = "127.0.0.1, ::1";

    /**
     * Five seconds to send CONNECT; 50 attempts at once and 5 a second after from one address, so that a few dozen
     * stations behind one NAT reconnecting after an outage (the contract's backoff spreads them over 20 s) pass,
     * while one address holds at most about 75 sockets that have not completed CONNECT.
     */
    public static ConnectLimits defaults() {
        return new ConnectLimits(5, 5, 50, IpRanges.parse(DEFAULT_EXEMPT));
    }

    public ConnectLimits {
        if (timeoutSeconds < 1 || perSecondPerAddress < 1 || burstPerAddress < 1 || exempt == null) {
            throw new IllegalArgumentException("connect limits: timeout, rate and burst must be at least 1, "
                    + "got " + timeoutSeconds + ", " + perSecondPerAddress + ", " + burstPerAddress);
        }
    }

    @Override
    public String toString() {
        return "connect within " + timeoutSeconds + " s, " + perSecondPerAddress + "/s (burst " + burstPerAddress
                + ") per address" + (exempt.isEmpty() ? "" : " except " + exempt);
    }
}
