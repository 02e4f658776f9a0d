package io.twofa.throttle;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Consecutive-failure throttling kept in PostgreSQL, so every instance shares it.
 * <p>
 * An attempt is reserved before it is evaluated: one conditional upsert counts it as a failure and sets the
 * wait, and only if the counter was not blocked. PostgreSQL serialises concurrent upserts on the row, so a
 * parallel burst gets exactly {@code freeAttempts} evaluations before the block applies. A success resets.
 * <p>
 * Counters live outside the request's transaction, on the reactive SQL client: a reservation counts from the
 * moment it is made, whatever becomes of the request, and a single statement needs no Hibernate session (a native
 * query through Hibernate also filled its query-plan cache with entries that never match: bench/, README
 * "Performance"). Callers must not hold a Hibernate session or transaction while they call this (that would take a
 * second pooled connection while holding one): call it before opening one or after it has ended.
 */
@ApplicationScoped
public class AttemptThrottle {

    /** What a throttle counts; each scope has its own counters and limits. */
    public record Policy(String scope, int freeAttempts, Duration baseDelay, Duration maxDelay, int lockAfter) {
    }

    /**
     * Counts one attempt unless the counter is blocked or locked; a row changed means counted. Parameters, as bound
     * by {@link #reserveArguments}: $1 scope, $2 subject, $3 free attempts, $4 base delay (s), $5 maximum delay (s),
     * $6 failures that lock (0: never), $7 now. Public so that a caller can count and read in one statement.
     */
    public static final String RESERVE = """
            insert into attempt_counter as c (scope, subject, failures, blocked_until, locked, updated_at)
            values ($1, $2, 1, case when 1 >= $3 then $7::timestamptz + make_interval(secs => $4::float8) end, $6 = 1, $7)
            on conflict (scope, subject) do update set
                failures = c.failures + 1,
                blocked_until = case when c.failures + 1 >= $3
                    then $7::timestamptz + make_interval(secs => least($5::float8, $4::float8 * power(2, least(c.failures + 1 - $3, 30))))
                    end,
                locked = ($6 > 0 and c.failures + 1 >= $6),
                updated_at = $7
            where not c.locked and (c.blocked_until is null or c.blocked_until <= $7::timestamptz)""";

    private static final String RESET = "delete from attempt_counter where scope = $1 and subject = $2";
    private static final String STATE = "select failures, blocked_until, locked from attempt_counter where scope = $1 and subject = $2";

    private final Pool pool;
    private final Clock clock;

    AttemptThrottle(Pool pool, Clock clock) {
        this.pool = pool;
        this.clock = clock;
    }

    /** Reserves an attempt (committed at once): evaluate it only if {@link Attempt.Allowed}. */
    public Uni<Attempt> reserve(Policy policy, String subject) {
        Instant now = clock.instant();
        return pool.preparedQuery(RESERVE).execute(reserveArguments(policy, subject, now))
                .flatMap(rows -> rows.rowCount() == 1 ? Uni.createFrom().item((Attempt) new Attempt.Allowed())
                        : refusal(policy, subject, now));
    }

    /** The arguments $1 to $7 of {@link #RESERVE}; a caller's own statement may add more after them. */
    public static Tuple reserveArguments(Policy policy, String subject, Instant now) {
        return Tuple.tuple()
                .addString(policy.scope())
                .addString(subject)
                .addInteger(policy.freeAttempts())
                .addDouble((double) policy.baseDelay().toSeconds())
                .addDouble((double) policy.maxDelay().toSeconds())
                .addInteger(policy.lockAfter())
                .addOffsetDateTime(OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
    }

    /** Why an attempt that {@link #RESERVE} did not count was refused: locked, or blocked for a while yet. */
    public Uni<Attempt> refusal(Policy policy, String subject, Instant now) {
        return state(policy.scope(), subject).map(state -> {
            if (state.locked()) {
                return new Attempt.Locked();
            }
            long wait = state.blockedUntil() == null ? 1 : Math.max(1, Duration.between(now, state.blockedUntil()).toMillis() / 1000 + 1);
            return new Attempt.Throttled(wait);
        });
    }

    /** Clears the counter after a success (or an admin reset). */
    public Uni<Void> reset(String scope, String subject) {
        return pool.preparedQuery(RESET).execute(Tuple.of(scope, subject)).replaceWithVoid();
    }

    /** The counter as stored (all zero when there is none). */
    public record State(int failures, Instant blockedUntil, boolean locked) {
    }

    public Uni<State> state(String scope, String subject) {
        return pool.preparedQuery(STATE).execute(Tuple.of(scope, subject)).map(rows -> {
            if (rows.size() == 0) {
                return new State(0, null, false);
            }
            Row row = rows.iterator().next();
            OffsetDateTime blockedUntil = row.getOffsetDateTime("blocked_until");
            return new State(row.getInteger("failures"), blockedUntil == null ? null : blockedUntil.toInstant(),
                    row.getBoolean("locked"));
        });
    }
}
