package io.twofa.policy;

import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import io.twofa.audit.AuditLog;
import io.twofa.audit.AuditType;
import io.twofa.audit.RequestOrigin;
import io.twofa.error.InvalidInputException;
import io.twofa.error.Require;
import io.twofa.session.RefreshFamilyRepository;
import io.twofa.session.SessionService;

/** Reads and changes the site policy (SPEC §7). */
@ApplicationScoped
public class SitePolicyService {

    static final Set<String> FIELDS = Set.of("two_factor_required", "issuer", "access_token_lifetime_seconds",
            "backup_code_count", "enforce_from");

    private final SitePolicyRepository policies;
    private final SessionService sessions;
    private final AuditLog audit;
    private final Clock clock;

    SitePolicyService(SitePolicyRepository policies, SessionService sessions, AuditLog audit, Clock clock) {
        this.policies = policies;
        this.sessions = sessions;
        this.audit = audit;
        this.clock = clock;
    }

    @WithSession
    public Uni<SitePolicy> current() {
        return policies.current();
    }

    /**
     * Applies the fields present in {@code body}; omitted fields keep their value, {@code "enforce_from": null}
     * clears it. The whole body is validated before anything changes.
     */
    @WithTransaction
    public Uni<SitePolicy> update(ObjectNode body, String actor, RequestOrigin origin) {
        Changes changes = validate(body);
        return policies.current().call(policy -> {
            boolean switchedOn = !policy.twoFactorRequired && Boolean.TRUE.equals(changes.twoFactorRequired());
            List<String> changed = changes.applyTo(policy);
            policy.updatedAt = clock.instant();
            policy.updatedBy = actor;
            return audit.record(AuditType.POLICY_CHANGED, actor, null, origin,
                    changed.isEmpty() ? "no change" : String.join("; ", changed))
                    // switching two-factor on logs everyone out: no session of the password alone outlives it
                    .call(() -> switchedOn
                            ? sessions.revokeEveryone(RefreshFamilyRepository.REASON_TWO_FACTOR_SWITCHED_ON, actor, origin)
                            : Uni.createFrom().voidItem());
        });
    }

    private record Changes(Boolean twoFactorRequired, String issuer, Integer lifetime, Integer backupCodeCount,
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

    private static Changes validate(ObjectNode body) {
        Require.body(body);
        for (Iterator<String> names = body.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw new InvalidInputException(name, "Unknown field '" + name + "'.");
            }
        }
        Boolean required = null;
        if (body.has("two_factor_required")) {
            JsonNode n = body.get("two_factor_required");
            if (!n.isBoolean()) {
                throw new InvalidInputException("two_factor_required", "'two_factor_required' must be true or false.");
            }
            required = n.booleanValue();
        }
        String issuer = null;
        if (body.has("issuer")) {
            JsonNode n = body.get("issuer");
            if (!n.isTextual()) {
                throw new InvalidInputException("issuer", "'issuer' must be a string.");
            }
            issuer = Require.text("issuer", n.textValue(), 1, 128);
            if (issuer.contains(":") || issuer.isBlank()) {
                // authenticator apps split the label at the colon
                throw new InvalidInputException("issuer", "'issuer' must not be blank or contain ':'.");
            }
        }
        Integer lifetime = body.has("access_token_lifetime_seconds")
                ? Require.range("access_token_lifetime_seconds", intValue(body.get("access_token_lifetime_seconds")), 60, 3600)
                : null;
        Integer count = body.has("backup_code_count")
                ? Require.range("backup_code_count", intValue(body.get("backup_code_count")), 5, 20)
                : null;
        Instant enforceFrom = null;
        boolean enforcePresent = body.has("enforce_from");
        if (enforcePresent && !body.get("enforce_from").isNull()) {
            JsonNode n = body.get("enforce_from");
            try {
                enforceFrom = n.isTextual() ? Instant.parse(n.textValue()) : null;
            } catch (DateTimeParseException e) {
                enforceFrom = null;
            }
            if (enforceFrom == null) {
                throw new InvalidInputException("enforce_from",
                        "'enforce_from' must be null or a UTC timestamp such as 2026-12-01T09:00:00Z.");
            }
        }
        return new Changes(required, issuer, lifetime, count, enforcePresent, enforceFrom);
    }

    private static Integer intValue(JsonNode n) {
        return n != null && n.isIntegralNumber() && n.canConvertToInt() ? n.intValue() : null;
    }
}
