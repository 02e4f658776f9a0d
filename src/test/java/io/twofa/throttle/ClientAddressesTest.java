package io.twofa.throttle;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The key a client address is counted under. */
class ClientAddressesTest {

    @Test
    void ipv4AddressesAreTheirOwnKey() {
        assertThat(ClientAddresses.key("127.0.0.2", 64)).isEqualTo("127.0.0.2");
        assertThat(ClientAddresses.key("::ffff:127.0.0.3", 64)).as("IPv4-mapped").isEqualTo("127.0.0.3");
    }

    @Test
    void ipv6AddressesAreCountedByTheirNetwork() {
        String a = ClientAddresses.key("2001:db8:1:2:aaaa:bbbb:cccc:dddd", 64);
        assertThat(a).isEqualTo("2001:db8:1:2:0:0:0:0/64");
        assertThat(ClientAddresses.key("2001:0db8:0001:0002::1", 64)).as("another host of the same /64").isEqualTo(a);
        assertThat(ClientAddresses.key("[2001:db8:1:3::1]", 64)).isEqualTo("2001:db8:1:3:0:0:0:0/64");
        assertThat(ClientAddresses.key("2001:db8:1:2::1%eth0", 56)).isEqualTo("2001:db8:1:0:0:0:0:0/56");
        assertThat(ClientAddresses.key("::1", 128)).isEqualTo("0:0:0:0:0:0:0:1/128");
    }

    @Test
    void whatIsNoAddressIsCountedAsUnknownAndNeverHoldsASpace() {
        assertThat(ClientAddresses.key(null, 64)).isEqualTo(ClientAddresses.UNKNOWN);
        assertThat(ClientAddresses.key("  ", 64)).isEqualTo(ClientAddresses.UNKNOWN);
        assertThat(ClientAddresses.key("1.2.3.4 evil", 64)).isEqualTo(ClientAddresses.UNKNOWN);
        assertThat(ClientAddresses.key("not:an:address:at:all", 64)).isEqualTo(ClientAddresses.UNKNOWN);
    }
}
