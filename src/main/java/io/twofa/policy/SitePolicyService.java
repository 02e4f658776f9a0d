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
import io.twofa.token.StepUp;
import io.twofa.token.TokenPrincipal;
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

        /**
         * Whether applying this to {@code p} weakens the site's protection: two-factor switched off, or enforcement moved
         * later (an {@code enforce_from} in the future, after the current one or where there was none).
         */
        boolean weakens(SitePolicy p, Instant now) {
            boolean switchedOff = p.twoFactorRequired && Boolean.FALSE.equals(twoFactorRequired);
            boolean enforcedLater = enforceFromPresent && enforceFrom != null && enforceFrom.isAfter(now)
                    && (p.enforceFrom == null || enforceFrom.isAfter(p.enforceFrom));
            return switchedOff || enforcedLater;
        }
    }

    private final SitePolicyRepository policies;
    private final Instance<PolicyListener> listeners;
    private final StepUp stepUp;
    private final AuditLog audit;
    private final Clock clock;

    SitePolicyService(SitePolicyRepository policies, Instance<PolicyListener> listeners, StepUp stepUp, AuditLog audit,
            Clock clock) {
        this.policies = policies;
        this.listeners = listeners;
        this.stepUp = stepUp;
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

    /**
     * Applies a validated change, audits it (with the age of the actor's authentication), and tells the listeners, in
     * one transaction. A change that weakens the policy needs step-up ({@link StepUp}) first.
     */
    @WithTransaction
    public Uni<SitePolicy> update(Changes changes, TokenPrincipal actor, RequestOrigin origin) {
        return policies.current().call(policy -> changes.weakens(policy, clock.instant())
                ? stepUp.require(actor) : Uni.createFrom().voidItem()).call(policy -> {
            boolean switchedOn = !policy.twoFactorRequired && Boolean.TRUE.equals(changes.twoFactorRequired());
            List<String> changed = changes.applyTo(policy);
            policy.updatedAt = clock.instant();
            policy.updatedBy = actor.login();
            return audit.record(AuditType.POLICY_CHANGED, actor.login(), null, origin,
                    changed.isEmpty() ? "no change" : String.join("; ", changed), stepUp.ageOf(actor))
                    .call(() -> switchedOn
                            ? Multi.createFrom().iterable(listeners).onItem()
                                    .transformToUniAndConcatenate(l -> l.twoFactorSwitchedOn(actor.login(), origin)).collect().last()
                            : Uni.createFrom().voidItem());
        });
    }
}
