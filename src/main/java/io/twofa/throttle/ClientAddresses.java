package io.twofa.throttle;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The key under which a client address is counted: an IPv4 address as it is, an IPv6 address by its network of the
 * configured prefix (a single host or customer usually holds a whole /64, so counting single IPv6 addresses would give
 * one client billions of budgets). Keys never contain a space (the pair counter's subject is {@code key + " " + login}).
 */
final class ClientAddresses {

    static final String UNKNOWN = "unknown";

    private ClientAddresses() {
    }

    static String key(String address, int ipv6PrefixLength) {
        if (address == null || address.isBlank()) {
            return UNKNOWN;
        }
        String literal = address.strip();
        if (literal.startsWith("[") && literal.endsWith("]")) {
            literal = literal.substring(1, literal.length() - 1);
        }
        int zone = literal.indexOf('%');
        if (zone >= 0) {
            literal = literal.substring(0, zone);
        }
        if (literal.indexOf(':') < 0) {
            return literal.indexOf(' ') < 0 && literal.length() <= 45 ? literal : UNKNOWN;
        }
        byte[] bytes;
        try {
            // a literal only (it contains ':'), so no name lookup happens
            bytes = InetAddress.getByName(literal).getAddress();
        } catch (UnknownHostException | SecurityException e) {
            return UNKNOWN;
        }
        if (bytes.length == 4) {
            // an IPv4-mapped IPv6 address: the IPv4 client it stands for
            return (bytes[0] & 0xff) + "." + (bytes[1] & 0xff) + "." + (bytes[2] & 0xff) + "." + (bytes[3] & 0xff);
        }
        int prefix = Math.max(0, Math.min(128, ipv6PrefixLength));
        for (int bit = prefix; bit < 128; bit++) {
            bytes[bit / 8] &= (byte) ~(0x80 >> (bit % 8));
        }
        StringBuilder key = new StringBuilder();
        for (int i = 0; i < 16; i += 2) {
            key.append(i == 0 ? "" : ":").append(Integer.toHexString(((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff)));
        }
        return key.append('/').append(prefix).toString();
    }
}
