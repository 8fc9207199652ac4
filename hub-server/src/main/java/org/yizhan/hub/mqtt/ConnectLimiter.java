package org.yizhan.hub.mqtt;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.hub.http.IpRanges;

import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Connection attempts per source address, as a token bucket each: {@code burst} at once, refilled at
 * {@code perSecond}. The table is bounded ({@link #MAX_ADDRESSES}, least recently seen forgotten first), so a
 * flood from many addresses costs memory once. IPv6 addresses count per /64, the block one subscriber gets.
 * Addresses in the exempt ranges are never counted. Thread-safe: the TLS and plaintext listeners share one.
 */
final class ConnectLimiter {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectLimiter.class);
    static final int MAX_ADDRESSES = 65_536;

    private static final class Bucket {
        double tokens;
        long at;
        boolean refusing;

        Bucket(double tokens, long at) {
            this.tokens = tokens;
            this.at = at;
        }
    }

    private final double perMilli;
    private final double burst;
    private final IpRanges exempt;
    private final LongSupplier clockMillis;
    private final Map<String, Bucket> buckets = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
            return size() > MAX_ADDRESSES;
        }
    };

    ConnectLimiter(ConnectLimits limits, LongSupplier clockMillis) {
        this.perMilli = limits.perSecondPerAddress() / 1000.0;
        this.burst = limits.burstPerAddress();
        this.exempt = limits.exempt();
        this.clockMillis = clockMillis;
    }

    /** Whether a connection from {@code address} (a literal IP address) may go on; takes one token if so. */
    synchronized boolean admit(String address) {
        if (exempt.contains(address)) {
            return true;
        }
        String key = key(address);
        long now = clockMillis.getAsLong();
        Bucket b = buckets.get(key);
        if (b == null) {
            b = new Bucket(burst, now);
            buckets.put(key, b);
        } else {
            b.tokens = Math.min(burst, b.tokens + (now - b.at) * perMilli);
            b.at = now;
        }
        if (b.tokens >= 1) {
            b.tokens -= 1;
            if (b.refusing) {
                b.refusing = false;
                LOG.info("MQTT connection attempts from {} are admitted again", key);
            }
            return true;
        }
        if (!b.refusing) {
            b.refusing = true;
            LOG.warn("Refusing MQTT connection attempts from {}: more than {} at once or {} a second "
                    + "(mqtt-connect-burst-per-address, mqtt-connects-per-second-per-address)", key, (int) burst,
                    Math.round(perMilli * 1000));
        }
        return false;
    }

    /** How many addresses the table holds now. */
    synchronized int addresses() {
        return buckets.size();
    }

    /** The counted unit: the address itself, or for IPv6 its /64. */
    static String key(String address) {
        Optional<byte[]> bytes = IpRanges.literal(address);
        if (bytes.isEmpty() || bytes.get().length != 16 || isMappedV4(bytes.get())) {
            return address;
        }
        return HexFormat.of().formatHex(bytes.get(), 0, 8) + "::/64";
    }

    private static boolean isMappedV4(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    }
}
