/**
 * The second-factor seam: what verification, enrolment, account views, resets, metrics and audit know of a factor.
 *
 * <h2>Adding a factor (e.g. WebAuthn)</h2>
 * A new package beside {@code totp} and {@code backupcode}, and a Flyway migration for its tables. Nothing else. The
 * package provides:
 * <ul>
 * <li>a CDI bean implementing {@link io.twofa.factor.SecondFactor}: its {@link io.twofa.factor.FactorType} (the name in
 * tokens, audit and metrics), the member of the verify body that carries its input, whether it is primary (set up by
 * the user) or a recovery factor, the query that loads what evaluating needs (SQL in the package's repository), the
 * in-memory evaluation and the piece of SQL that spends a match (replay guard, single use), its status for account
 * views, and its removal for an admin reset;</li>
 * <li>for a primary factor, its own enrolment endpoints in its {@code http} sub-package; on activation it calls
 * {@link io.twofa.factor.EnrollmentCompletion}, which spends the login's challenge, issues recovery codes, ends the
 * old factor's sessions and completes the login;</li>
 * <li>for a recovery factor, optionally {@link io.twofa.factor.RecoveryCodes}.</li>
 * </ul>
 * Verification dispatches by the body's member ({@link io.twofa.factor.SecondFactors#byInputField}), under the one
 * shared second-factor throttle; metrics series are declared per factor at start-up.
 */
package io.twofa.factor;
