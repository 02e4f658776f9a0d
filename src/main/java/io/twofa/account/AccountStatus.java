package io.twofa.account;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.twofa.factor.FactorStatus;

/** An account's role, second factors and throttles, as admins and the user see it. */
public record AccountStatus(UUID id, String login, String role, Instant createdAt, List<FactorStatus> factors,
        Instant secondFactorThrottledUntil, boolean secondFactorLocked, int secondFactorConsecutiveFailures,
        Instant passwordThrottledUntil) {
}
