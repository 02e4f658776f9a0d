package io.twofa.throttle;

import java.time.Instant;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.twofa.database.Sql;
import io.twofa.database.Statement;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;

/**
 * All SQL on the {@code attempt_counter} table. Counters live outside the request's transaction, on the reactive
 * SQL client: a reservation counts from the moment it is made, whatever becomes of the request.
 */
@ApplicationScoped
class ThrottleRepository {

    /**
     * Counts one attempt unless the counter is blocked or locked; a row returned means counted. PostgreSQL serialises
     * concurrent upserts on the row, so a parallel burst gets exactly {@code free} evaluations before the block.
     */
    private static final String COUNT_ATTEMPT = """
            insert into attempt_counter as c (scope, subject, failures, blocked_until, locked, updated_at)
            values (:throttle_scope, :throttle_subject, 1,
                    case when 1 >= :throttle_free then :throttle_now::timestamptz + make_interval(secs => :throttle_delay::float8) end,
                    :throttle_lock = 1, :throttle_now)
            on conflict (scope, subject) do update set
                failures = c.failures + 1,
                blocked_until = case when c.failures + 1 >= :throttle_free
                    then :throttle_now::timestamptz + make_interval(secs => least(:throttle_max_delay::float8,
                         :throttle_delay::float8 * power(2, least(c.failures + 1 - :throttle_free, 30))))
                    end,
                locked = (:throttle_lock > 0 and c.failures + 1 >= :throttle_lock),
                updated_at = :throttle_now
            where not c.locked and (c.blocked_until is null or c.blocked_until <= :throttle_now::timestamptz)
            returning 1""";

    /** A read that reads nothing, for a reservation on its own. */
    static final Sql NOTHING = Sql.of("select 1 as nothing");

    private static final String CLEAR = "delete from attempt_counter where scope = :throttle_scope and subject = :throttle_subject";
    private static final String STATE = "select failures, blocked_until, locked from attempt_counter "
            + "where scope = :throttle_scope and subject = :throttle_subject";

    private final Pool pool;

    ThrottleRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * Counts the attempt and runs {@code read} in the same statement (one round trip, committed at once). The row
     * always exists: {@code throttle_counted} is 1 when the attempt was counted, 0 when refused; the read's columns
     * are null when it found nothing.
     */
    <T> Uni<T> countAttemptAnd(Throttle.Policy policy, String subject, Instant now, Sql read, Function<Row, T> mapper) {
        Statement.Rendered statement = countAttemptAnd(policy, subject, now, read);
        return pool.preparedQuery(statement.sql()).execute(statement.args()).map(rows -> mapper.apply(rows.iterator().next()));
    }

    /** The statement {@link #countAttemptAnd(Throttle.Policy, String, Instant, Sql, Function)} sends. */
    static Statement.Rendered countAttemptAnd(Throttle.Policy policy, String subject, Instant now, Sql read) {
        Sql count = Sql.of(COUNT_ATTEMPT, "throttle_scope", policy.scope(), "throttle_subject", subject,
                "throttle_free", policy.freeAttempts(), "throttle_delay", (double) policy.baseDelay().toSeconds(),
                "throttle_max_delay", (double) policy.maxDelay().toSeconds(), "throttle_lock", policy.lockAfter(),
                "throttle_now", now);
        return Statement.with("throttle_attempt", count)
                .select(Sql.compose("select (select count(*) from throttle_attempt) as throttle_counted, r.* "
                        + "from (select 1) as one left join lateral ({0}) as r on true", read));
    }

    /** Removes the counter, as a piece of a statement composed by the caller, only if {@code gate} returned a row. */
    static Sql clearIf(String scope, String subject, String gate) {
        return Sql.of(CLEAR + " and exists (select 1 from " + gate + ")", "throttle_scope", scope, "throttle_subject", subject);
    }

    Uni<Void> clear(String scope, String subject) {
        Statement.Rendered statement = Statement.of(Sql.of(CLEAR, "throttle_scope", scope, "throttle_subject", subject));
        return pool.preparedQuery(statement.sql()).execute(statement.args()).replaceWithVoid();
    }

    Uni<Integer> deleteIdle(String scope, Instant before) {
        Statement.Rendered statement = Statement.of(Sql.of("delete from attempt_counter where scope = :throttle_scope "
                + "and updated_at < :throttle_before", "throttle_scope", scope, "throttle_before", before));
        return pool.preparedQuery(statement.sql()).execute(statement.args()).map(rows -> rows.rowCount());
    }

    Uni<Throttle.State> state(String scope, String subject) {
        Statement.Rendered statement = Statement.of(Sql.of(STATE, "throttle_scope", scope, "throttle_subject", subject));
        return pool.preparedQuery(statement.sql()).execute(statement.args()).map(rows -> {
            if (rows.size() == 0) {
                return new Throttle.State(0, null, false);
            }
            Row row = rows.iterator().next();
            var blockedUntil = row.getOffsetDateTime("blocked_until");
            return new Throttle.State(row.getInteger("failures"), blockedUntil == null ? null : blockedUntil.toInstant(),
                    row.getBoolean("locked"));
        });
    }
}
