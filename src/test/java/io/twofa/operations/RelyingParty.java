package io.twofa.operations;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;

/**
 * A relying party as the contract describes one (openapi.yaml, "Relying parties"), built on Nimbus JOSE+JWT: it
 * checks signature (ES256 only, key by {@code kid} from the JWKS), {@code typ}, {@code iss}, {@code aud} and
 * {@code exp}. Its JWK set is fetched once when it starts, kept for {@code cacheTime}, and fetched again before that
 * only when a token names an unknown kid, and then at most once per {@code minRefetch} (Nimbus' own JWKSourceBuilder
 * rate-limits such refetches too), from the instances in turn, as through a load balancer.
 */
final class RelyingParty implements JWKSource<SecurityContext> {

    /** One fetch of the JWKS: when, from which instance, why, and the kids it held. */
    record Fetch(Instant at, String instance, String reason, List<String> kids) {
    }

    private final List<String> instances;
    private final Duration cacheTime;
    private final Duration minRefetch;
    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    final List<Fetch> fetches = new CopyOnWriteArrayList<>();
    private JWKSet keys;
    private Instant fetchedAt;
    private int next;

    RelyingParty(List<String> instances, Duration cacheTime, Duration minRefetch, String issuer, String audience) {
        this.instances = instances;
        this.cacheTime = cacheTime;
        this.minRefetch = minRefetch;
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(new JOSEObjectType("at+jwt")));
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.ES256, this));
        processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(audience,
                new JWTClaimsSet.Builder().issuer(issuer).build(), Set.of("sub", "iat", "exp", "jti")));
        synchronized (this) {
            fetch("start");
        }
    }

    /** The verified claims, or the reason the token is refused. */
    JWTClaimsSet verify(String token) throws Exception {
        return processor.process(token, null);
    }

    @Override
    public synchronized List<JWK> get(JWKSelector selector, SecurityContext context) {
        Instant now = Instant.now();
        if (!now.isBefore(fetchedAt.plus(cacheTime))) {
            fetch("cache expired");
        }
        List<JWK> found = selector.select(keys);
        if (found.isEmpty() && !now.isBefore(fetchedAt.plus(minRefetch))) {
            fetch("unknown kid");
            found = selector.select(keys);
        }
        return found;
    }

    private void fetch(String reason) {
        String instance = instances.get(next++ % instances.size());
        Api.Reply reply = Api.get(instance, "/.well-known/jwks.json", null);
        if (reply.status() != 200) {
            throw new IllegalStateException("JWKS from " + instance + ": " + reply.status());
        }
        try {
            keys = JWKSet.parse(reply.body().toString());
        } catch (java.text.ParseException e) {
            throw new IllegalStateException(e);
        }
        fetchedAt = Instant.now();
        fetches.add(new Fetch(fetchedAt, instance, reason, keys.getKeys().stream().map(JWK::getKeyID).toList()));
    }
}
