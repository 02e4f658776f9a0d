package io.twofa.throttle;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.twofa.database.Sql;
import io.twofa.database.Statement;
import io.vertx.mutiny.sqlclient.Row;

/**
 * Consecutive-failure throttling kept in PostgreSQL, so every instance shares it; the one entry point for counting
 * attempts (SQL in {@link ThrottleRepository}).
 * <p>
 * An attempt is reserved before it is evaluated: one conditional upsert counts it as a failure and sets the wait,
 * and only if the counter was not blocked. A success clears the counter. Callers must not hold a Hibernate session
 * or transaction while they reserve (that would take a second pooled connection while holding one).
 */
@ApplicationScoped
public class Throttle {

    /** What a throttle counts; each scope has its own counters and limits. {@code lockAfter} 0: never locks. */
    public record Policy(String scope, int freeAttempts, Duration baseDelay, Duration maxDelay, int lockAfter) {
    }

    /** The counter as stored (all zero when there is none). */
    public record State(int failures, Instant blockedUntil, boolean locked) {
    }

    /** A reservation, with what the caller read in the same statement ({@code read} null when it found nothing). */
    public record Reserved<T>(Attempt attempt, T read) {
    }

    private final ThrottleRepository counters;
    private final Clock clock;

    Throttle(ThrottleRepository counters, Clock clock) {
        this.counters = counters;
        this.clock = clock;
    }

    /** Reserves an attempt (committed at once): evaluate it only if {@link Attempt.Allowed}. */
    public Uni<Attempt> reserve(Policy policy, String subject) {
        return reserve(policy, subject, clock.instant(), ThrottleRepository.NOTHING, row -> null).map(Reserved::attempt);
    }

    /**
     * Reserves an attempt and, in the same statement, runs the caller's {@code read} (one round trip). {@code mapper}
     * reads the caller's columns from the row; it is not called when the read found nothing.
     */
    public <T> Uni<Reserved<T>> reserve(Policy policy, String subject, Instant now, Sql read, Function<Row, T> mapper) {
        return counters.countAttemptAnd(policy, subject, now, read, row -> row)
                .flatMap(row -> {
                    T value = allNull(row) ? null : mapper.apply(row);
                    if (row.getLong("throttle_counted") == 1) {
                        return Uni.createFrom().item(new Reserved<>(new Attempt.Allowed(), value));
                    }
                    return refusal(policy, subject, now).map(refusal -> new Reserved<>(refusal, value));
                });
    }

    /** The one statement {@link #reserve(Policy, String, Instant, Sql, Function)} sends (for checks of its SQL). */
    public Statement.Rendered reservation(Policy policy, String subject, Instant now, Sql read) {
        return ThrottleRepository.countAttemptAnd(policy, subject, now, read);
    }

    /** Clears the counter, as a piece of the caller's statement, only if its {@code gate} returned a row. */
    public Sql clearIf(Policy policy, String subject, String gate) {
        return ThrottleRepository.clearIf(policy.scope(), subject, gate);
    }

    /** Clears the counter after a success or an admin reset. */
    public Uni<Void> clear(Policy policy, String subject) {
        return counters.clear(policy.scope(), subject);
    }

    /** Forgets this policy's counters untouched since {@code before} (e.g. those of budget windows that are over). */
    public Uni<Integer> forgetIdle(Policy policy, Instant before) {
        return counters.deleteIdle(policy.scope(), before);
    }

    public Uni<State> state(Policy policy, String subject) {
        return counters.state(policy.scope(), subject);
    }

    /** Why an attempt that was not counted was refused: locked, or blocked for a while yet. */
    private Uni<Attempt> refusal(Policy policy, String subject, Instant now) {
        return counters.state(policy.scope(), subject).map(state -> {
            if (state.locked()) {
                return new Attempt.Locked();
            }
            long wait = state.blockedUntil() == null ? 1
                    : Math.max(1, Duration.between(now, state.blockedUntil()).toMillis() / 1000 + 1);
            return new Attempt.Throttled(wait);
        });
    }

    private static boolean allNull(Row row) {
        for (int i = 1; i < row.size(); i++) {
            if (row.getValue(i) != null) {
                return false;
            }
        }
        return true;
    }
}
