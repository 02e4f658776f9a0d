package io.twofa.support;

import java.security.Key;
import java.time.Instant;
import java.util.UUID;

import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.lang.JoseException;

/** Hand-made tokens, to check what the service accepts besides its own. */
public final class Tokens {

    private Tokens() {
    }

    /** The claims of a valid admin access token (SPEC §3), for a random subject. */
    public static JwtClaims adminClaims() {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer("twofa-service");
        claims.setAudience("flow-production-tracking");
        claims.setSubject(UUID.randomUUID().toString());
        claims.setClaim("upn", "admin");
        claims.setStringListClaim("groups", "admin");
        claims.setStringListClaim("amr", "pwd", "otp", "mfa");
        claims.setClaim("client", "web");
        claims.setClaim("auth_time", Instant.now().getEpochSecond());
        claims.setIssuedAtToNow();
        claims.setExpirationTimeMinutesInTheFuture(5);
        claims.setGeneratedJwtId();
        return claims;
    }

    public static String sign(JwtClaims claims, String kid, Key key, String alg, String typ) throws JoseException {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKeyIdHeaderValue(kid);
        jws.setHeader("typ", typ);
        jws.setAlgorithmHeaderValue(alg);
        jws.setKey(key);
        if (AlgorithmIdentifiers.NONE.equals(alg)) {
            jws.setAlgorithmConstraints(AlgorithmConstraints.NO_CONSTRAINTS);
        }
        return jws.getCompactSerialization();
    }
}
