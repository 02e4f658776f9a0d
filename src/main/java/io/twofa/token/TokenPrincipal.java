package io.twofa.token;

import java.security.Principal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Who a verified token speaks for, and what it proves. {@code tokenId} is the {@code jti}; {@code factor} the second
 * factor of the login (null for a password-only login and for challenge tokens).
 */
public record TokenPrincipal(TokenKind kind, UUID accountId, String login, String role, String client, List<String> amr,
        String purpose, Instant authTime, Instant expiresAt, String tokenId, String factor) implements Principal {

    /** What a challenge token allows next. */
    public static final String PURPOSE_SECOND_FACTOR = "second_factor";
    public static final String PURPOSE_ENROLLMENT = "enrollment";
    /** An enrolment started with an access token and the password (moving to a new phone): only its QR code and confirmation. */
    public static final String PURPOSE_NEW_PHONE = "new_phone";
    /** A temporary password was used: only PUT /api/v1/me/password accepts it. */
    public static final String PURPOSE_PASSWORD_CHANGE = "password_change";

    @Override
    public String getName() {
        return login;
    }

    public boolean isChallenge() {
        return kind == TokenKind.CHALLENGE;
    }

    /** A challenge token for {@code purpose}. */
    public boolean isChallengeFor(String purpose) {
        return isChallenge() && purpose.equals(this.purpose);
    }
}
