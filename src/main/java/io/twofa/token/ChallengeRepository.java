package io.twofa.token;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.twofa.database.Sql;
import io.twofa.database.Statement;
import io.vertx.mutiny.sqlclient.Pool;

/** All SQL on {@code spent_challenge}: the database fact that a challenge token was used. */
@ApplicationScoped
class ChallengeRepository {

    private final Pool pool;

    ChallengeRepository(Pool pool) {
        this.pool = pool;
    }

    /** Whether the challenge was spent, as a one-column query ({@code challenge_spent}) for a composed statement. */
    static Sql spentFlag(String jti) {
        return Sql.of("select exists (select 1 from spent_challenge where jti = :challenge_jti) as challenge_spent",
                "challenge_jti", jti);
    }

    /**
     * Spends the challenge if {@code gate} returned a row, as a piece of a composed statement. No ON CONFLICT on
     * purpose: a challenge spent by a concurrent request makes the whole statement fail (unique violation), so
     * whatever else it changed is rolled back with it.
     */
    static Sql spendAfter(String jti, Instant expiresAt, String gate) {
        return Sql.of("insert into spent_challenge (jti, expires_at) select :challenge_jti, :challenge_expires from " + gate
                + " returning 1", "challenge_jti", jti, "challenge_expires", expiresAt);
    }

    /** The unique violation of {@link #spendAfter}: the challenge was spent by a concurrent request. */
    static boolean isSpentConflict(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof io.vertx.pgclient.PgException pg && "23505".equals(pg.getSqlState())
                    && String.valueOf(pg.getConstraint()).startsWith("spent_challenge")) {
                return true;
            }
        }
        return false;
    }

    /** Spends the challenge in the caller's Hibernate transaction; 1 = spent now, 0 = spent before. */
    Uni<Integer> spendInTransaction(String jti, Instant expiresAt) {
        return Panache.getSession().chain(session -> session
                .createNativeQuery("insert into spent_challenge (jti, expires_at) values (:jti, :expires) on conflict do nothing")
                .setParameter("jti", jti)
                .setParameter("expires", expiresAt)
                .executeUpdate());
    }

    Uni<Boolean> isSpent(String jti) {
        Statement.Rendered statement = Statement.of(spentFlag(jti));
        return pool.preparedQuery(statement.sql()).execute(statement.args())
                .map(rows -> rows.iterator().next().getBoolean("challenge_spent"));
    }

    /** Forgets challenges that have expired (a spent one can no longer be presented anyway). */
    Uni<Integer> deleteExpired(Instant before) {
        Statement.Rendered statement = Statement.of(Sql.of("delete from spent_challenge where expires_at < :before", "before", before));
        return pool.preparedQuery(statement.sql()).execute(statement.args()).map(rows -> rows.rowCount());
    }
}
