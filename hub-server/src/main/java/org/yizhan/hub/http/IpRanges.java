package org.yizhan.hub.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A list of IP addresses and CIDR ranges ({@code 10.0.0.0/8, 192.168.1.7, fd00::/8}), as settings give them
 * comma-separated. Only literal addresses: a host name is refused, so nothing here ever asks DNS.
 */
public final class IpRanges {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private record Range(byte[] network, int prefix, String text) {
    }

    private final List<Range> ranges;

    private IpRanges(List<Range> ranges) {
        this.ranges = List.copyOf(ranges);
    }

    public static IpRanges none() {
        return new IpRanges(List.of());
    }

    /**
     * Parses {@code "a, b/n, ..."} (blank: none).
     *
     * @throws IllegalArgumentException naming the entry that is not an IP address or a CIDR range
     */
    public static IpRanges parse(String text) {
        List<Range> out = new ArrayList<>();
        for (String raw : text.split(",")) {
            String entry = raw.trim();
            if (entry.isEmpty()) {
                continue;
            }
            int slash = entry.indexOf('/');
            String addr = slash < 0 ? entry : entry.substring(0, slash);
            byte[] bytes = literal(addr).orElseThrow(() -> new IllegalArgumentException(
                    "'" + shorten(entry) + "' is not an IP address or CIDR range (such as 10.0.0.0/8 or fd00::/8)"));
            int max = bytes.length * 8;
            int prefix = max;
            if (slash >= 0) {
                try {
                    prefix = Integer.parseInt(entry.substring(slash + 1));
                } catch (NumberFormatException e) {
                    prefix = -1;
                }
                if (prefix < 0 || prefix > max) {
                    throw new IllegalArgumentException("'" + shorten(entry) + "': the prefix length must be 0 to " + max);
                }
            }
            out.add(new Range(mask(bytes, prefix), prefix, entry));
        }
        return new IpRanges(out);
    }

    /** The address's bytes when it is a literal IPv4 or IPv6 address (never a DNS lookup). */
    public static java.util.Optional<byte[]> literal(String addr) {
        String a = addr.startsWith("[") && addr.endsWith("]") ? addr.substring(1, addr.length() - 1) : addr;
        if (!IPV4.matcher(a).matches() && !IPV6.matcher(a).matches()) {
            return java.util.Optional.empty();
        }
        if (IPV4.matcher(a).matches() && Arrays.stream(a.split("\\.")).anyMatch(p -> Integer.parseInt(p) > 255)) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(InetAddress.getByName(a).getAddress());
        } catch (UnknownHostException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    /** Whether the address (literal; anything else is outside) is in one of the ranges. */
    public boolean contains(String address) {
        if (ranges.isEmpty() || address == null) {
            return false;
        }
        java.util.Optional<byte[]> bytes = literal(address.trim());
        if (bytes.isEmpty()) {
            return false;
        }
        byte[] b = unmapped(bytes.get());
        for (Range r : ranges) {
            if (r.network.length == b.length && Arrays.equals(mask(b, r.prefix), r.network)) {
                return true;
            }
        }
        return false;
    }

    /** An IPv4-mapped IPv6 address (::ffff:a.b.c.d) as the IPv4 address. */
    private static byte[] unmapped(byte[] b) {
        if (b.length != 16) {
            return b;
        }
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return b;
            }
        }
        return b[10] == (byte) 0xff && b[11] == (byte) 0xff ? Arrays.copyOfRange(b, 12, 16) : b;
    }

    private static byte[] mask(byte[] b, int prefix) {
        byte[] out = b.clone();
        for (int i = 0; i < out.length; i++) {
            int bits = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] = (byte) (out[i] & (0xff << (8 - bits)));
        }
        return out;
    }

    public boolean isEmpty() {
        return ranges.isEmpty();
    }

    @Override
    public String toString() {
        return String.join(",", ranges.stream().map(Range::text).toList());
    }

    private static String shorten(String v) {
        return v.length() <= 60 ? v : v.substring(0, 60) + "...";
    }
}
