package io.twofa.token;

import java.util.UUID;

import io.smallrye.mutiny.Uni;

/**
 * Whether a login with the password alone is a complete login for an account at this moment: the account is exempt
 * from two-factor, or it has no second factor while the site does not require one. {@link StepUp} asks this for access
 * tokens without {@code mfa}. Implemented by a feature above this one (it needs the policy and the factors), which
 * keeps the dependency one-way; without an implementation, only tokens with {@code mfa} count.
 */
public interface PasswordOnlyLogin {

    /** Joins the caller's Hibernate session when there is one. */
    Uni<Boolean> isComplete(UUID accountId);
}
