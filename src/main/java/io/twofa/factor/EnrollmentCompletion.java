package io.twofa.factor;

import java.util.UUID;

import io.smallrye.mutiny.Uni;
import io.twofa.token.IssuedTokens;
import io.twofa.token.TokenPrincipal;
import io.twofa.web.RequestOrigin;

/**
 * What happens once a primary factor has been activated, inside the enrolment's transaction: recovery codes, the end
 * of the sessions of the old factor, and, when the enrolment was the second step of a login, that login's tokens.
 * Implemented by the login feature, so a factor package needs no knowledge of sessions or tokens.
 */
public interface EnrollmentCompletion {

    /** {@code caller}: the token that authorised the enrolment (a challenge in the login flow). */
    record Enrolled(UUID accountId, String login, String role, FactorType factor, TokenPrincipal caller, RequestOrigin origin) {
    }

    /** The recovery codes to show once, and the login's tokens (null outside the login flow). */
    record Completion(RecoveryCodes.IssuedSet recoveryCodes, IssuedTokens tokens) {
    }

    Uni<Completion> completed(Enrolled enrolled);
}
