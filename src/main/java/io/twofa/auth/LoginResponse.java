package io.twofa.auth;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.twofa.session.LoginTokens;

/** Answer of the password step, and of steps that end a login with an access token (and of a refresh). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LoginResponse(String status, String accessToken, String tokenType, String challengeToken, Long expiresIn,
        String refreshToken, Long refreshExpiresIn, List<String> methods, Instant enrollmentDue, Long backupCodesRemaining,
        Boolean regenerateBackupCodes) {

    public static final String AUTHENTICATED = "authenticated";
    public static final String SECOND_FACTOR_REQUIRED = "second_factor_required";
    public static final String ENROLLMENT_REQUIRED = "enrollment_required";

    /** The access token and, for clients that get one, the refresh token. */
    public static LoginResponse authenticated(LoginTokens.Issued issued, Instant enrollmentDue) {
        return new LoginResponse(AUTHENTICATED, issued.accessToken(), "Bearer", null, issued.expiresIn(),
                issued.refreshToken(), issued.refreshExpiresIn(), null, enrollmentDue, null, null);
    }

    public static LoginResponse challenge(String status, String token, long expiresIn, List<String> methods) {
        return new LoginResponse(status, null, null, token, expiresIn, null, null, methods, null, null, null);
    }

    public LoginResponse withBackupCodesRemaining(long remaining, boolean regenerate) {
        return new LoginResponse(status, accessToken, tokenType, challengeToken, expiresIn, refreshToken, refreshExpiresIn,
                methods, enrollmentDue, remaining, regenerate ? Boolean.TRUE : null);
    }
}
