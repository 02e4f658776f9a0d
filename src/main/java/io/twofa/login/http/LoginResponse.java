package io.twofa.login.http;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

import io.twofa.login.LoginResult;
import io.twofa.token.IssuedTokens;

/**
 * Answer of the login steps: the password step, the second factor, a refresh. {@code extras}: members a second factor
 * adds (e.g. {@code backup_codes_remaining}), written as top-level members.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LoginResponse(String status, String accessToken, String tokenType, String challengeToken, Long expiresIn,
        String refreshToken, Long refreshExpiresIn, List<String> methods, Instant enrollmentDue,
        @JsonIgnore Map<String, Object> extras) {

    public static final String AUTHENTICATED = "authenticated";

    @JsonAnyGetter
    public Map<String, Object> extrasAsMembers() {
        return extras == null ? Map.of() : extras;
    }

    public static LoginResponse of(LoginResult result) {
        if (result instanceof LoginResult.Challenged c) {
            return new LoginResponse(c.status(), null, null, c.challengeToken(), c.expiresIn(), null, null, c.methods(), null, null);
        }
        LoginResult.Authenticated a = (LoginResult.Authenticated) result;
        return authenticated(a.tokens(), a.enrollmentDue(), a.extras());
    }

    public static LoginResponse authenticated(IssuedTokens t, Instant enrollmentDue, Map<String, Object> extras) {
        return new LoginResponse(AUTHENTICATED, t.accessToken(), "Bearer", null, t.expiresIn(), t.refreshToken(),
                t.refreshExpiresIn(), null, enrollmentDue, extras);
    }
}
