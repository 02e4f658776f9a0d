package io.twofa.token;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.NumericDate;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.resolvers.JwksVerificationKeyResolver;

import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.build.Jwt;
import io.twofa.config.TwofaConfig;

/** Issues and verifies the service's JWTs (ES256; challenge and access kinds; claims of SPEC §3). */
@ApplicationScoped
public class TokenService {

    /** Audience of challenge tokens: only this service's second-step endpoints. */
    static final String CHALLENGE_AUDIENCE = "twofa-second-step";

    private final SigningKeys keys;
    private final TwofaConfig config;
    private final Clock clock;
    private final JwksVerificationKeyResolver keyResolver;

    TokenService(SigningKeys keys, TwofaConfig config, Clock clock) {
        this.keys = keys;
        this.config = config;
        this.clock = clock;
        List<JsonWebKey> jwks = keys.jsonWebKeys();
        this.keyResolver = new JwksVerificationKeyResolver(jwks);
    }

    /** A signed token and its lifetime in seconds. */
    public record Issued(String token, long expiresIn) {
    }

    /** The facts an access token states about a completed login. */
    public record Login(UUID accountId, String login, String role, String client, List<String> amr, String factor,
            Instant authTime) {
    }

    public Issued issueAccess(Login login, int lifetimeSeconds) {
        Instant now = clock.instant();
        var claims = Jwt.claims()
                .issuer(config.token().issuer())
                .subject(login.accountId().toString())
                .upn(login.login())
                .groups(Set.of(login.role()))
                .audience(config.token().audience())
                .claim("amr", login.amr())
                .claim("client", login.client())
                .claim("auth_time", login.authTime().getEpochSecond())
                .issuedAt(now)
                .expiresAt(now.plusSeconds(lifetimeSeconds))
                .claim("jti", UUID.randomUUID().toString());
        if (login.factor() != null) {
            claims.claim("factor", login.factor());
        }
        return new Issued(sign(claims, TokenKind.ACCESS), lifetimeSeconds);
    }

    /** A challenge token: proves the password of {@code accountId} and allows {@code purpose} next. */
    public Issued issueChallenge(UUID accountId, String login, String role, String client, String purpose, Instant authTime) {
        Instant now = clock.instant();
        int lifetime = Math.min(config.token().challengeLifetimeSeconds(), 300);
        var claims = Jwt.claims()
                .issuer(config.token().issuer())
                .subject(accountId.toString())
                .upn(login)
                .audience(CHALLENGE_AUDIENCE)
                .claim("role", role)
                .claim("amr", List.of("pwd"))
                .claim("client", client)
                .claim("purpose", purpose)
                .claim("auth_time", authTime.getEpochSecond())
                .issuedAt(now)
                .expiresAt(now.plusSeconds(lifetime))
                .claim("jti", UUID.randomUUID().toString());
        return new Issued(sign(claims, TokenKind.CHALLENGE), lifetime);
    }

    private String sign(io.smallrye.jwt.build.JwtClaimsBuilder claims, TokenKind kind) {
        return claims.jws()
                .keyId(keys.currentKeyId())
                .header("typ", kind.type())
                .algorithm(SignatureAlgorithm.ES256)
                .sign(keys.currentPrivateKey());
    }

    /**
     * Verifies signature (ES256 only, key by {@code kid}), {@code typ}, issuer, audience, expiry (with the
     * configured skew) for the given kind. Any failure: {@link InvalidTokenException}.
     */
    public TokenPrincipal verify(String jwt, TokenKind kind) {
        JwtConsumer consumer = new JwtConsumerBuilder()
                .setRequireExpirationTime()
                .setRequireIssuedAt()
                .setRequireSubject()
                .setRequireJwtId()
                .setAllowedClockSkewInSeconds(config.token().clockSkewSeconds())
                .setEvaluationTime(NumericDate.fromMilliseconds(clock.millis()))
                .setExpectedIssuer(true, config.token().issuer())
                .setExpectedAudience(true, kind == TokenKind.ACCESS ? config.token().audience() : CHALLENGE_AUDIENCE)
                .setExpectedType(true, kind.type())
                .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT,
                        AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256)
                .setVerificationKeyResolver(keyResolver)
                .build();
        try {
            JwtClaims claims = consumer.processToClaims(jwt);
            List<String> groups = claims.getStringListClaimValue("groups");
            String role = kind == TokenKind.ACCESS
                    ? (groups == null || groups.size() != 1 ? null : groups.get(0))
                    : claims.getStringClaimValue("role");
            if (role == null) {
                throw new InvalidTokenException();
            }
            Number authTime = claims.getClaimValue("auth_time", Number.class);
            return new TokenPrincipal(kind, UUID.fromString(claims.getSubject()), claims.getStringClaimValue("upn"), role,
                    claims.getStringClaimValue("client"), claims.getStringListClaimValue("amr"),
                    claims.getStringClaimValue("purpose"),
                    authTime == null ? null : Instant.ofEpochSecond(authTime.longValue()),
                    Instant.ofEpochSecond(claims.getExpirationTime().getValue()));
        } catch (InvalidJwtException | MalformedClaimException | IllegalArgumentException e) {
            throw new InvalidTokenException();
        }
    }

    /** The token was not valid for the endpoint's kind; deliberately carries no detail. */
    public static class InvalidTokenException extends RuntimeException {
        InvalidTokenException() {
            super("invalid token", null, false, false);
        }
    }
}
