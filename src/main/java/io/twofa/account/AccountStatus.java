package io.twofa.account;

import java.time.Instant;
import java.util.UUID;

/** An account's role and second-factor state, as admins and the user see it. */
public record AccountStatus(UUID id, String login, String role, Instant createdAt, boolean enrolled, Instant enrolledAt,
        long backupCodesRemaining, Instant secondFactorThrottledUntil, boolean secondFactorLocked,
        int secondFactorConsecutiveFailures, Instant passwordThrottledUntil) {
}
