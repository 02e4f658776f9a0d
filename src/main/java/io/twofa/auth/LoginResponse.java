package io.twofa.auth;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Answer of the password step, and of steps that end a login with an access token. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LoginResponse(String status, String accessToken, String tokenType, String challengeToken, Long expiresIn,
        List<String> methods, Instant enrollmentDue, Long backupCodesRemaining, Boolean regenerateBackupCodes) {

    public static final String AUTHENTICATED = "authenticated";
    public static final String SECOND_FACTOR_REQUIRED = "second_factor_required";
    public static final String ENROLLMENT_REQUIRED = "enrollment_required";

    public static LoginResponse authenticated(String token, long expiresIn, Instant enrollmentDue) {
        return new LoginResponse(AUTHENTICATED, token, "Bearer", null, expiresIn, null, enrollmentDue, null, null);
    }

    public static LoginResponse challenge(String status, String token, long expiresIn, List<String> methods) {
        return new LoginResponse(status, null, null, token, expiresIn, methods, null, null, null);
    }

    public LoginResponse withBackupCodesRemaining(long remaining, boolean regenerate) {
        return new LoginResponse(status, accessToken, tokenType, challengeToken, expiresIn, methods, enrollmentDue, remaining,
                regenerate ? Boolean.TRUE : null);
    }
}
