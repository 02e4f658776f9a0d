package io.twofa.totp;

import java.time.Instant;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import io.twofa.crypto.SecretCipher;
import io.twofa.database.Sql;

@ApplicationScoped
class AuthenticatorRepository implements PanacheRepositoryBase<Authenticator, UUID> {

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
     * Replaces the active authenticator with the pending one in two statements of the caller's transaction.
     * Returns 1 when the pending one was still pending and unexpired.
     */
    public Uni<Integer> activatePending(UUID accountId, UUID pendingId, long acceptedStep, Instant now) {
        return delete("accountId = ?1 and status = ?2", accountId, Authenticator.ACTIVE)
                .chain(() -> update("status = ?1, activatedAt = ?2, expiresAt = null, lastUsedStep = ?3 "
                        + "where id = ?4 and status = ?5 and expiresAt > ?2",
                        Authenticator.ACTIVE, now, acceptedStep, pendingId, Authenticator.PENDING));
    }

    /** The accounts with an active authenticator (column {@code account_id}), for a composed statement. */
    static Sql activeAccounts() {
        return Sql.of("select account_id from authenticator where status = 'active'");
    }

    /** The active authenticator's id and sealed secret, for the verification's first statement (columns {@code totp_*}). */
    static Sql loadActive(UUID accountId) {
        return Sql.of("select id as totp_id, secret_key_id as totp_key_id, secret_ciphertext as totp_secret "
                + "from authenticator where account_id = :account_id and status = 'active'", "account_id", accountId);
    }

    /**
     * Accepts a TOTP step once, as a piece of a composed statement: returns a row only if the step is newer than every
     * step accepted before. Concurrent requests with one code race on this row; PostgreSQL lets exactly one win.
     */
    static Sql acceptStepOnceSql(UUID authenticatorId, long step) {
        return Sql.of("update authenticator set last_used_step = :totp_step "
                + "where id = :totp_id and status = 'active' and last_used_step < :totp_step returning 1",
                "totp_step", step, "totp_id", authenticatorId);
    }

    public Uni<java.util.List<Authenticator>> findSealedWithOtherKey(String currentKeyId, int limit) {
        return find("secretKeyId <> ?1", currentKeyId).page(0, limit).list();
    }

    /** Swaps the ciphertext only if the row still carries the key id it was read with (another instance may have won). */
    public Uni<Integer> replaceSealedSecret(UUID id, String expectedKeyId, SecretCipher.Sealed sealed) {
        return update("secretKeyId = ?1, secretCiphertext = ?2 where id = ?3 and secretKeyId = ?4", sealed.keyId(), sealed.data(),
                id, expectedKeyId);
    }
}
