package io.twofa.account;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.twofa.factor.FactorStatus;

/**
 * An account's role, state, second factors and throttles, as admins and the user see it. {@code status}:
 * {@code active} or {@code disabled}; {@code passwordChangeRequired}: an admin set a temporary password.
 */
public record AccountStatus(UUID id, String login, String role, Instant createdAt, List<FactorStatus> factors,
        Instant secondFactorThrottledUntil, boolean secondFactorLocked, int secondFactorConsecutiveFailures,
        Instant passwordThrottledUntil, String status, boolean passwordChangeRequired) {
}
