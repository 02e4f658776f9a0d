package io.twofa.account.http;

import java.time.Instant;
import java.util.UUID;

import io.twofa.account.AccountStatus;
import io.twofa.factor.FactorStatus;

/**
 * An account as admins and the user see it. {@code enrolled}: a primary second factor is set up (since
 * {@code enrolledAt}); {@code backupCodesRemaining}: unused single-use codes of the recovery factors; {@code status}:
 * {@code active} or {@code disabled} (cannot log in); {@code passwordChangeRequired}: an admin set a temporary password.
 */
public record AccountView(UUID id, String login, String role, Instant createdAt, boolean enrolled, Instant enrolledAt,
        long backupCodesRemaining, Instant secondFactorThrottledUntil, boolean secondFactorLocked,
        int secondFactorConsecutiveFailures, Instant passwordThrottledUntil, String status, boolean passwordChangeRequired) {

    static AccountView of(AccountStatus s) {
        FactorStatus primary = s.factors().stream().filter(f -> f.primary() && f.enrolled()).findFirst().orElse(null);
        long remaining = s.factors().stream().filter(f -> !f.primary() && f.remaining() != null)
                .mapToLong(FactorStatus::remaining).sum();
        return new AccountView(s.id(), s.login(), s.role(), s.createdAt(), primary != null, primary == null ? null : primary.since(),
                remaining, s.secondFactorThrottledUntil(), s.secondFactorLocked(), s.secondFactorConsecutiveFailures(),
                s.passwordThrottledUntil(), s.status(), s.passwordChangeRequired());
    }
}
