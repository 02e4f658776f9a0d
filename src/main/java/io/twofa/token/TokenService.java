package io.twofa.token;

import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;

import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.consumer.JwtContext;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.auth.principal.DefaultJWTTokenParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;
import io.twofa.config.TwofaConfig;
import io.twofa.crypto.SecretCipher;

/**
 * Issues and verifies the service's JWTs with SmallRye JWT: access tokens (ES256 under the published signing keys,
 * SPEC §3) and challenge tokens (HS256 under a key that is never published, so no relying party can be fooled into
 * accepting a login that skipped the second factor).
 * <p>
 * Each kind is its own verification context: algorithm, key (by {@code kid}), issuer and audience are checked by
 * SmallRye JWT; {@code typ}, the service's clock ({@code exp}, {@code iat} with the configured skew) and the claims
 * this service relies on are checked here. Any failure is the same {@link InvalidTokenException}.
 */
@ApplicationScoped
public class TokenService {

    /** Audience of challenge tokens: only this service's second-step endpoints. */
    static final String CHALLENGE_AUDIENCE = "twofa-second-step";
    /** The purpose of the key derived from each secret-encryption key for signing challenge tokens. */
    static final String CHALLENGE_KEY_PURPOSE = "twofa challenge-token key";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A signed token and its lifetime in seconds; {@code id} is its {@code jti}. */
    public record Issued(String token, long expiresIn, String id) {
    }

    /** The facts an access token states about a completed login. */
    public record Login(UUID accountId, String login, String role, String client, List<String> amr, String factor,
            Instant authTime) {
    }

    private final SigningKeys keys;
    private final SecretCipher secrets;
    private final TwofaConfig config;
    private final Clock clock;
    private final DefaultJWTTokenParser parser = new DefaultJWTTokenParser();
    private final Map<String, JWTAuthContextInfo> accessContexts = new ConcurrentHashMap<>();
    private final Map<String, JWTAuthContextInfo> challengeContexts = new ConcurrentHashMap<>();

    /** Public for the benchmark (bench/), which makes challenge tokens without the application. */
    public TokenService(SigningKeys keys, SecretCipher secrets, TwofaConfig config, Clock clock) {
        this.keys = keys;
        this.secrets = secrets;
        this.config = config;
        this.clock = clock;
    }

    public Issued issueAccess(Login login, int lifetimeSeconds) {
        Instant now = clock.instant();
        String jti = UUID.randomUUID().toString();
        JwtClaimsBuilder claims = Jwt.issuer(config.token().issuer())
                .subject(login.accountId().toString())
                .upn(login.login())
                .groups(Set.of(login.role()))
                .audience(config.token().audience())
                .claim("amr", login.amr())
                .claim("client", login.client())
                .claim("auth_time", login.authTime().getEpochSecond())
                .issuedAt(now.getEpochSecond())
                .expiresAt(now.getEpochSecond() + lifetimeSeconds)
                .claim("jti", jti);
        if (login.factor() != null) {
            claims.claim("factor", login.factor());
        }
        SigningKeys.Signer signer = keys.signer();
        String token = claims.jws().keyId(signer.kid()).type(TokenKind.ACCESS.type()).algorithm(SignatureAlgorithm.ES256)
                .sign(signer.key());
        return new Issued(token, lifetimeSeconds, jti);
    }

    /** A challenge token: proves the password of {@code accountId} and allows {@code purpose} next. */
    public Issued issueChallenge(UUID accountId, String login, String role, String client, String purpose, Instant authTime) {
        Instant now = clock.instant();
        int lifetime = Math.min(config.token().challengeLifetimeSeconds(), 300);
        String jti = UUID.randomUUID().toString();
        String kid = secrets.currentKeyId();
        String token = Jwt.issuer(config.token().issuer())
                .subject(accountId.toString())
                .upn(login)
                .audience(CHALLENGE_AUDIENCE)
                .claim("role", role)
                .claim("amr", List.of("pwd"))
                .claim("client", client)
                .claim("purpose", purpose)
                .claim("auth_time", authTime.getEpochSecond())
                .issuedAt(now.getEpochSecond())
                .expiresAt(now.getEpochSecond() + lifetime)
                .claim("jti", jti)
                .jws().keyId(kid).type(TokenKind.CHALLENGE.type()).algorithm(SignatureAlgorithm.HS256)
                .sign(challengeKey(kid));
        return new Issued(token, lifetime, jti);
    }

    /**
     * Verifies a token of either kind. The unverified header only chooses the context (kind by {@code typ}, key by
     * {@code kid}); the kind's own algorithm, key and audience then decide, and the signed {@code typ} must match.
     * Any failure: {@link InvalidTokenException}.
     */
    public TokenPrincipal verify(String jwt) {
        try {
            JsonNode header = headerOf(jwt);
            TokenKind kind = TokenKind.CHALLENGE.type().equals(text(header, "typ")) ? TokenKind.CHALLENGE : TokenKind.ACCESS;
            JwtContext verified = parser.parse(jwt, contextFor(kind, text(header, "kid")));
            if (!kind.type().equals(verified.getJoseObjects().get(0).getHeader("typ"))) {
                throw new InvalidTokenException();
            }
            return principal(kind, verified.getJwtClaims());
        } catch (ParseException | MalformedClaimException | RuntimeException e) {
            throw e instanceof InvalidTokenException invalid ? invalid : new InvalidTokenException();
        }
    }

    private TokenPrincipal principal(TokenKind kind, JwtClaims claims) throws MalformedClaimException {
        long now = clock.instant().getEpochSecond();
        int skew = config.token().clockSkewSeconds();
        if (claims.getExpirationTime() == null || claims.getIssuedAt() == null || claims.getJwtId() == null
                || claims.getSubject() == null
                || claims.getExpirationTime().getValue() + skew <= now) {
            throw new InvalidTokenException();
        }
        List<String> groups = claims.getStringListClaimValue("groups");
        String role = kind == TokenKind.ACCESS
                ? (groups == null || groups.size() != 1 ? null : groups.get(0))
                : claims.getStringClaimValue("role");
        Number authTime = claims.getClaimValue("auth_time", Number.class);
        if (role == null || authTime == null) {
            throw new InvalidTokenException();
        }
        return new TokenPrincipal(kind, UUID.fromString(claims.getSubject()), claims.getStringClaimValue("upn"), role,
                claims.getStringClaimValue("client"), claims.getStringListClaimValue("amr"),
                claims.getStringClaimValue("purpose"), Instant.ofEpochSecond(authTime.longValue()),
                Instant.ofEpochSecond(claims.getExpirationTime().getValue()), claims.getJwtId(),
                claims.getStringClaimValue("factor"));
    }

    /** The verification context of one kind and key: SmallRye checks algorithm, signature, issuer and audience. */
    private JWTAuthContextInfo contextFor(TokenKind kind, String kid) {
        Map<String, JWTAuthContextInfo> contexts = kind == TokenKind.ACCESS ? accessContexts : challengeContexts;
        JWTAuthContextInfo cached = contexts.get(kid);
        // signing keys come and go at run time (KeyRotation): a context serves only while its key is the one published
        PublicKey published = kind == TokenKind.ACCESS ? keys.publicKey(kid) : null;
        if (kind == TokenKind.ACCESS && published == null) {
            if (cached != null) {
                contexts.remove(kid);
            }
            throw new InvalidTokenException();
        }
        if (cached != null && (kind != TokenKind.ACCESS || cached.getPublicVerificationKey() == published)) {
            return cached;
        }
        Key key = kind == TokenKind.ACCESS ? published : secrets.keyIds().contains(kid) ? challengeKey(kid) : null;
        if (key == null) {
            throw new InvalidTokenException();
        }
        JWTAuthContextInfo context = key instanceof PublicKey publicKey
                ? new JWTAuthContextInfo(publicKey, config.token().issuer())
                : new JWTAuthContextInfo((SecretKey) key, config.token().issuer());
        context.setSignatureAlgorithm(Set.of(kind == TokenKind.ACCESS ? SignatureAlgorithm.ES256 : SignatureAlgorithm.HS256));
        context.setExpectedAudience(Set.of(kind == TokenKind.ACCESS ? config.token().audience() : CHALLENGE_AUDIENCE));
        context.setClockSkew(config.token().clockSkewSeconds());
        context.setRequiredClaims(Set.of("sub", "iat", "exp", "jti", "auth_time"));
        contexts.put(kid, context);
        return context;
    }

    private SecretKey challengeKey(String kid) {
        return new SecretKeySpec(secrets.derivedKey(kid, CHALLENGE_KEY_PURPOSE), "HmacSHA256");
    }

    /** The unverified JOSE header. */
    private static JsonNode headerOf(String jwt) {
        int dot = jwt.indexOf('.');
        if (dot <= 0) {
            throw new InvalidTokenException();
        }
        try {
            return JSON.readTree(new String(Base64.getUrlDecoder().decode(jwt.substring(0, dot)), StandardCharsets.UTF_8));
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new InvalidTokenException();
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        if (value == null || !value.isTextual()) {
            throw new InvalidTokenException();
        }
        return value.textValue();
    }

    /** The token was not valid for the endpoint's kind; deliberately carries no detail. */
    public static class InvalidTokenException extends RuntimeException {
        InvalidTokenException() {
            super("invalid token", null, false, false);
        }
    }
}
