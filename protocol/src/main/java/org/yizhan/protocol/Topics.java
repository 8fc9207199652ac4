package org.yizhan.protocol;

import java.util.Optional;

/** Topic names of contract v1: {@code yizhan/v1/stations/{stationId}/{channel}}. */
public final class Topics {

    public static final String ROOT = "yizhan/v1/stations/";

    private Topics() {
    }

    /** A parsed topic: which station and which channel. */
    public record Address(String stationId, Channel channel) {
        public String topic() {
            return Topics.of(stationId, channel);
        }
    }

    /**
     * A station id is 3 to {@value Limits#STATION_ID_CHARS} of {@code [a-z0-9-]}. Checked on every message's topic,
     * so by a loop over the characters rather than a regular expression ({@code TopicsTest} holds the two equal).
     */
    public static boolean isValidStationId(String stationId) {
        if (stationId == null || stationId.length() < 3 || stationId.length() > Limits.STATION_ID_CHARS) {
            return false;
        }
        for (int i = 0; i < stationId.length(); i++) {
            char c = stationId.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-')) {
                return false;
            }
        }
        return true;
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
