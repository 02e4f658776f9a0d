package io.twofa.factor;

import java.time.Instant;

/**
 * One factor's state for an account, as the account and admins see it. {@code remaining}: how many single-use
 * codes are left, for factors that have them (null otherwise).
 */
public record FactorStatus(FactorType type, boolean primary, boolean enrolled, Instant since, Long remaining) {
}
