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

    @Override
    public String getName() {
        return login;
    }

    public boolean isChallenge() {
        return kind == TokenKind.CHALLENGE;
    }
}
