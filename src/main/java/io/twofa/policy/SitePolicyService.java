package io.twofa.policy;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.twofa.audit.AuditLog;
import io.twofa.audit.AuditType;
import io.twofa.database.Sql;
import io.twofa.web.RequestOrigin;

/** Reads and changes the site policy (SPEC §7). */
@ApplicationScoped
public class SitePolicyService {

    /**
     * A change as validated by the HTTP layer: null fields keep their value; {@code enforceFromPresent} with a null
     * {@code enforceFrom} clears it.
     */
    public record Changes(Boolean twoFactorRequired, String issuer, Integer lifetime, Integer backupCodeCount,
            boolean enforceFromPresent, Instant enforceFrom) {

        List<String> applyTo(SitePolicy p) {
            List<String> changed = new ArrayList<>();
            if (twoFactorRequired != null && twoFactorRequired != p.twoFactorRequired) {
                changed.add("two_factor_required " + p.twoFactorRequired + " -> " + twoFactorRequired);
                p.twoFactorRequired = twoFactorRequired;
            }
            if (issuer != null && !issuer.equals(p.issuer)) {
                changed.add("issuer changed");
                p.issuer = issuer;
            }
            if (lifetime != null && lifetime != p.accessTokenLifetimeSeconds) {
                changed.add("access_token_lifetime_seconds " + p.accessTokenLifetimeSeconds + " -> " + lifetime);
                p.accessTokenLifetimeSeconds = lifetime;
            }
            if (backupCodeCount != null && backupCodeCount != p.backupCodeCount) {
                changed.add("backup_code_count " + p.backupCodeCount + " -> " + backupCodeCount);
                p.backupCodeCount = backupCodeCount;
            }
            if (enforceFromPresent && !java.util.Objects.equals(enforceFrom, p.enforceFrom)) {
                changed.add("enforce_from " + p.enforceFrom + " -> " + enforceFrom);
                p.enforceFrom = enforceFrom;
            }
            return changed;
        }
    }

    private final SitePolicyRepository policies;
    private final Instance<PolicyListener> listeners;
    private final AuditLog audit;
    private final Clock clock;

    SitePolicyService(SitePolicyRepository policies, Instance<PolicyListener> listeners, AuditLog audit, Clock clock) {
        this.policies = policies;
        this.listeners = listeners;
        this.audit = audit;
        this.clock = clock;
    }

    /** The policy; joins the caller's Hibernate session when there is one. */
    @WithSession
    public Uni<SitePolicy> current() {
        return policies.current();
    }

    /** The access-token lifetime as a query (column {@code policy_access_lifetime}) for a composed statement. */
    public Sql accessLifetime() {
        return SitePolicyRepository.accessLifetime();
    }

    /** Applies a validated change, audits it, and tells the listeners, in one transaction. */
    @WithTransaction
    public Uni<SitePolicy> update(Changes changes, String actor, RequestOrigin origin) {
        return policies.current().call(policy -> {
            boolean switchedOn = !policy.twoFactorRequired && Boolean.TRUE.equals(changes.twoFactorRequired());
            List<String> changed = changes.applyTo(policy);
            policy.updatedAt = clock.instant();
            policy.updatedBy = actor;
            return audit.record(AuditType.POLICY_CHANGED, actor, null, origin,
                    changed.isEmpty() ? "no change" : String.join("; ", changed))
                    .call(() -> switchedOn
                            ? Multi.createFrom().iterable(listeners).onItem()
                                    .transformToUniAndConcatenate(l -> l.twoFactorSwitchedOn(actor, origin)).collect().last()
                            : Uni.createFrom().voidItem());
        });
    }
}
