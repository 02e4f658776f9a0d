package io.twofa.token;

/** What a completed login hands out. The refresh fields are null for clients that get no refresh token. */
public record IssuedTokens(String accessToken, long expiresIn, String refreshToken, Long refreshExpiresIn) {
}
