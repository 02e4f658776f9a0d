package io.twofa.web;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;

/**
 * The client address is the throttle's key (docs/throttling.md), so a client must not be able to choose it. Quarkus
 * takes {@code X-Forwarded-For} / {@code Forwarded} only with {@code quarkus.http.proxy.proxy-address-forwarding=true},
 * and then from every peer unless {@code quarkus.http.proxy.trusted-proxies} names the proxies: that combination lets
 * any client pick its address per request, so the service refuses to start with it.
 */
@ApplicationScoped
public class ForwardingCheck {

    private static final Logger LOG = Logger.getLogger(ForwardingCheck.class);

    void check(@Observes StartupEvent event, Config config) {
        String problem = problem(config.getOptionalValue("quarkus.http.proxy.proxy-address-forwarding", Boolean.class).orElse(false),
                config.getOptionalValue("quarkus.http.proxy.trusted-proxies", String.class));
        if (problem != null) {
            throw new IllegalStateException(problem);
        }
        if (config.getOptionalValue("quarkus.http.proxy.proxy-address-forwarding", Boolean.class).orElse(false)) {
            LOG.infof("Client addresses: forwarded headers accepted from the trusted proxies %s only",
                    config.getOptionalValue("quarkus.http.proxy.trusted-proxies", String.class).orElse(""));
        }
    }

    /** Why this proxy configuration lets clients choose their address, or null when it does not. */
    static String problem(boolean forwarding, Optional<String> trustedProxies) {
        if (forwarding && trustedProxies.map(String::isBlank).orElse(true)) {
            return "quarkus.http.proxy.proxy-address-forwarding=true (QUARKUS_HTTP_PROXY_PROXY_ADDRESS_FORWARDING) without "
                    + "quarkus.http.proxy.trusted-proxies (QUARKUS_HTTP_PROXY_TRUSTED_PROXIES) would take the client address "
                    + "from headers any client can send; name the proxies (addresses or CIDR ranges) that set them.";
        }
        return null;
    }
}
