package io.twofa.verification;

import java.time.Instant;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.twofa.crypto.SecretCipher;
import io.twofa.throttle.AttemptThrottle;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;

/**
 * The first statement of every verify: counts the attempt against the second-factor throttle and reads what
 * evaluating it needs (account, active authenticator, token lifetime), in one round trip to PostgreSQL on the
 * reactive SQL client. A verify runs on every login of the site, so this is its hot path (bench/, README
 * "Performance"); the counting is {@link AttemptThrottle#RESERVE} itself, unchanged.
 */
@ApplicationScoped
class VerificationRepository {

    /** $1-$7: the throttle's reserve ({@link AttemptThrottle#reserveArguments}); $8: the account id. */
    static final String RESERVE_AND_LOAD = "with attempt as (" + AttemptThrottle.RESERVE + " returning 1)\n" + """
            select a.login, a.role, (select count(*) from attempt) as counted,
                   au.id as authenticator_id, au.secret_key_id, au.secret_ciphertext, p.access_token_lifetime_seconds
            from account a
            cross join site_policy p
            left join authenticator au on au.account_id = a.id and au.status = 'active'
            where a.id = $8 and p.id = 1""";

    /**
     * An attempt on an existing account. {@code counted} false: the throttle refused it (not evaluated). The
     * authenticator fields are null when no authenticator is active.
     */
    record Attempt(boolean counted, String login, String role, UUID authenticatorId, SecretCipher.Sealed sealedSecret,
            int accessTokenLifetimeSeconds) {
    }

    private final Pool pool;

    VerificationRepository(Pool pool) {
        this.pool = pool;
    }

    /** Counts the attempt (committed at once) and loads the account's facts; null when the account is gone. */
    Uni<Attempt> reserveAndLoad(UUID accountId, AttemptThrottle.Policy throttle, Instant now) {
        return pool.preparedQuery(RESERVE_AND_LOAD)
                .execute(AttemptThrottle.reserveArguments(throttle, accountId.toString(), now).addUUID(accountId))
                .map(rows -> rows.size() == 0 ? null : attempt(rows.iterator().next()));
    }

    private static Attempt attempt(Row row) {
        UUID authenticatorId = row.getUUID("authenticator_id");
        SecretCipher.Sealed sealed = authenticatorId == null ? null
                : new SecretCipher.Sealed(row.getString("secret_key_id"), row.getBuffer("secret_ciphertext").getBytes());
        return new Attempt(row.getLong("counted") == 1, row.getString("login"), row.getString("role"), authenticatorId, sealed,
                row.getInteger("access_token_lifetime_seconds"));
    }
}
