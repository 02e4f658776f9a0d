package io.twofa.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;

import org.junit.jupiter.api.Test;

/** Forwarded client addresses are taken only from named proxies: the service refuses to trust every peer. */
class ForwardingCheckTest {

    @Test
    void forwardingWithoutTrustedProxiesIsRefused() {
        assertThat(ForwardingCheck.problem(true, Optional.empty())).contains("trusted-proxies");
        assertThat(ForwardingCheck.problem(true, Optional.of(" "))).contains("trusted-proxies");
    }

    @Test
    void forwardingFromNamedProxiesOrNoForwardingIsFine() {
        assertThat(ForwardingCheck.problem(true, Optional.of("10.0.0.0/8"))).isNull();
        assertThat(ForwardingCheck.problem(false, Optional.empty())).isNull();
    }
}
