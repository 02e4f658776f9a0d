package io.twofa.enrollment;

import java.time.Instant;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;

@ApplicationScoped
public class AuthenticatorRepository implements PanacheRepositoryBase<Authenticator, UUID> {

    public Uni<Authenticator> findActive(UUID accountId) {
        return find("accountId = ?1 and status = ?2", accountId, Authenticator.ACTIVE).firstResult();
    }

    public Uni<Authenticator> findUnexpiredPending(UUID accountId, Instant now) {
        return find("accountId = ?1 and status = ?2 and expiresAt > ?3", accountId, Authenticator.PENDING, now).firstResult();
    }

    public Uni<Long> deletePending(UUID accountId) {
        return delete("accountId = ?1 and status = ?2", accountId, Authenticator.PENDING);
    }

    public Uni<Long> deleteAllOf(UUID accountId) {
        return delete("accountId", accountId);
    }

    /**
     * Accepts a TOTP step once: succeeds (1) only if the step is newer than every step accepted before.
     * Concurrent requests with one code race on this row; PostgreSQL lets exactly one win.
     */
    public Uni<Integer> acceptStepOnce(UUID authenticatorId, long step) {
        return update("lastUsedStep = ?1 where id = ?2 and status = ?3 and lastUsedStep < ?1", step, authenticatorId,
                Authenticator.ACTIVE);
    }

    /**
     * Replaces the active authenticator with the pending one in two statements of the caller's transaction.
     * Returns 1 when the pending one was still pending and unexpired.
     */
    public Uni<Integer> activatePending(UUID accountId, UUID pendingId, long acceptedStep, Instant now) {
        return delete("accountId = ?1 and status = ?2", accountId, Authenticator.ACTIVE)
                .chain(() -> update("status = ?1, activatedAt = ?2, expiresAt = null, lastUsedStep = ?3 "
                        + "where id = ?4 and status = ?5 and expiresAt > ?2",
                        Authenticator.ACTIVE, now, acceptedStep, pendingId, Authenticator.PENDING));
    }

    public Uni<java.util.List<Authenticator>> findSealedWithOtherKey(String currentKeyId, int limit) {
        return find("secretKeyId <> ?1", currentKeyId).page(0, limit).list();
    }

    /** Swaps the ciphertext only if the row still carries the key id it was read with (another instance may have won). */
    public Uni<Integer> replaceSealedSecret(UUID id, String expectedKeyId, io.twofa.crypto.SecretCipher.Sealed sealed) {
        return update("secretKeyId = ?1, secretCiphertext = ?2 where id = ?3 and secretKeyId = ?4", sealed.keyId(), sealed.data(),
                id, expectedKeyId);
    }
}
