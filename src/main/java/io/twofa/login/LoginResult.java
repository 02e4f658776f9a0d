package io.twofa.login;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.twofa.token.IssuedTokens;

/** How a login step ended: with tokens, or with a challenge for the next step. */
public sealed interface LoginResult {

    /**
     * The login is complete. {@code enrollmentDue}: enrolment becomes mandatory then (grace period, SPEC §8);
     * {@code extras}: members a factor adds to the answer (e.g. backup codes remaining).
     */
    record Authenticated(IssuedTokens tokens, Instant enrollmentDue, Map<String, Object> extras) implements LoginResult {
    }

    /** Another step is needed: {@code status} names it; {@code methods} lists the factors that can answer it. */
    record Challenged(String status, String challengeToken, long expiresIn, List<String> methods) implements LoginResult {
    }

    String SECOND_FACTOR_REQUIRED = "second_factor_required";
    String ENROLLMENT_REQUIRED = "enrollment_required";
    String PASSWORD_CHANGE_REQUIRED = "password_change_required";
}
