package io.twofa.discovery;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import io.twofa.config.TwofaConfig;
import io.twofa.factor.FactorType;
import io.twofa.factor.SecondFactors;
import io.twofa.policy.SitePolicyService;
import io.twofa.session.LoginTokens;
import io.twofa.token.Clients;

/**
 * Gathers the discovery document's values from where each is decided: the token settings, the factor registry, the
 * site policy (read afresh: it changes at run time) and the refresh-token settings.
 */
@ApplicationScoped
public class DiscoveryService {

    private final TwofaConfig config;
    private final SecondFactors factors;
    private final SitePolicyService policies;
    private final LoginTokens loginTokens;

    DiscoveryService(TwofaConfig config, SecondFactors factors, SitePolicyService policies, LoginTokens loginTokens) {
        this.config = config;
        this.factors = factors;
        this.policies = policies;
        this.loginTokens = loginTokens;
    }

    @WithSession
    public Uni<ServiceSettings> current() {
        LoginTokens.Settings refresh = loginTokens.settings();
        return policies.current().map(policy -> new ServiceSettings(
                config.token().issuer(),
                config.token().audience(),
                factors.types().stream().map(FactorType::wireName).toList(),
                Clients.ALL.stream().sorted().toList(),
                refresh.clients(),
                policy.twoFactorRequired,
                // a date for a requirement that is off would announce an enforcement that will not happen
                policy.twoFactorRequired ? policy.enforceFrom : null,
                policy.accessTokenLifetimeSeconds,
                config.token().challengeLifetimeSeconds(),
                refresh.idleLifetime().toSeconds(),
                refresh.absoluteLifetime().toSeconds(),
                refresh.gracePeriod().toSeconds()));
    }
}
