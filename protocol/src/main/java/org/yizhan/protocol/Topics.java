package org.yizhan.protocol;

import java.util.Optional;
import java.util.regex.Pattern;

/** Topic names of contract v1: {@code yizhan/v1/stations/{stationId}/{channel}}. */
public final class Topics {

    public static final String ROOT = "yizhan/v1/stations/";
    private static final Pattern STATION_ID = Pattern.compile("[a-z0-9-]{3," + Limits.STATION_ID_CHARS + "}");

    private Topics() {
    }

    /** A parsed topic: which station and which channel. */
    public record Address(String stationId, Channel channel) {
        public String topic() {
            return Topics.of(stationId, channel);
        }
    }

    public static boolean isValidStationId(String stationId) {
        return stationId != null && STATION_ID.matcher(stationId).matches();
    }

    /** The station's root, ending in a slash, e.g. {@code yizhan/v1/stations/st-001/}. */
    public static String root(String stationId) {
        requireStationId(stationId);
        return ROOT + stationId + "/";
    }

    public static String of(String stationId, Channel channel) {
        return root(stationId) + channel.suffix();
    }

    /**
     * Parses a concrete topic (no wildcards). Empty when the topic is not one of contract v1.
     */
    public static Optional<Address> parse(String topic) {
        if (topic == null || !topic.startsWith(ROOT)) {
            return Optional.empty();
        }
        String rest = topic.substring(ROOT.length());
        int slash = rest.indexOf('/');
        if (slash < 0) {
            return Optional.empty();
        }
        String id = rest.substring(0, slash);
        if (!isValidStationId(id)) {
            return Optional.empty();
        }
        return Channel.ofSuffix(rest.substring(slash + 1)).map(ch -> new Address(id, ch));
    }

    /**
     * True when a topic or topic filter (with {@code +} or {@code #}) stays inside the station's own root.
     * A filter such as {@code yizhan/v1/stations/+/cmd} or {@code #} is outside it.
     */
    public static boolean isUnderRoot(String stationId, String topicOrFilter) {
        if (topicOrFilter == null || !isValidStationId(stationId)) {
            return false;
        }
        String root = ROOT + stationId + "/";
        if (!topicOrFilter.startsWith(root) || topicOrFilter.length() == root.length()) {
            return false;
        }
        return true;
    }

    public static String requireStationId(String stationId) {
        if (!isValidStationId(stationId)) {
            throw new IllegalArgumentException("station id must match [a-z0-9-]{3,40}: " + stationId);
        }
        return stationId;
    }
}
