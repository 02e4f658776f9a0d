package io.twofa.totp;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.twofa.config.TwofaConfig;
import io.twofa.crypto.SecretCipher;

/**
 * Re-seals TOTP secrets under the current encryption key after a key rotation, so the old key can be retired.
 * Runs at start-up when {@code twofa.crypto.reencrypt-at-start} is true (several instances may run it at once:
 * each row is rewritten only if it still carries the old key id).
 */
@ApplicationScoped
public class SecretReencryption {

    private static final Logger LOG = Logger.getLogger(SecretReencryption.class);
    private static final int BATCH = 200;

    private final AuthenticatorRepository authenticators;
    private final SecretCipher cipher;

    SecretReencryption(AuthenticatorRepository authenticators, SecretCipher cipher) {
        this.authenticators = authenticators;
        this.cipher = cipher;
    }

    void onStart(@Observes StartupEvent event, TwofaConfig config) throws Throwable {
        if (config.crypto().reencryptAtStart()) {
            int n = VertxContextSupport.subscribeAndAwait(this::reencryptAll);
            LOG.infof("Re-encrypted %d TOTP secrets under key %s", n, cipher.currentKeyId());
        }
    }

    /** Re-seals every secret not under the current key, batch by batch; returns how many rows changed. */
    public Uni<Integer> reencryptAll() {
        return Panache.withTransaction(() -> authenticators.findSealedWithOtherKey(cipher.currentKeyId(), BATCH)
                .flatMap(this::reseal))
                .flatMap(done -> done == 0 ? Uni.createFrom().item(0) : reencryptAll().map(more -> done + more));
    }

    private Uni<Integer> reseal(List<Authenticator> batch) {
        return Multi.createFrom().iterable(batch).onItem().transformToUniAndConcatenate(a -> {
            String owner = a.accountId.toString();
            byte[] secret = cipher.open(a.sealedSecret(), owner);
            SecretCipher.Sealed resealed = cipher.seal(secret, owner);
            java.util.Arrays.fill(secret, (byte) 0);
            return authenticators.replaceSealedSecret(a.id, a.secretKeyId, resealed);
        }).collect().asList().map(counts -> counts.stream().mapToInt(Integer::intValue).sum());
    }
}
