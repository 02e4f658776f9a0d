package io.twofa.throttle;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import org.hibernate.reactive.mutiny.Mutiny;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

/**
 * Consecutive-failure throttling kept in PostgreSQL, so every instance shares it.
 * <p>
 * An attempt is reserved before it is evaluated: one conditional upsert counts it as a failure and sets the
 * wait, and only if the counter was not blocked. PostgreSQL serialises concurrent upserts on the row, so a
 * parallel burst gets exactly {@code freeAttempts} evaluations before the block applies. A success resets.
 */
@ApplicationScoped
public class AttemptThrottle {

    /** What a throttle counts; each scope has its own counters and limits. */
    public record Policy(String scope, int freeAttempts, Duration baseDelay, Duration maxDelay, int lockAfter) {
    }

    /*
     * Counters change only through the two statements below, run with executeUpdate: Hibernate does not cache plans
     * of native updates, whereas each native *select* (an INSERT ... RETURNING run as a query, say) added one more
     * never-matching entry to its query-plan cache, all in one hash bin: lookups then compared against up to 2,048
     * entries, ~9 % of the verify CPU (bench/, README "Performance"). Reads go through the AttemptCounter entity.
     */
    private static final String RESERVE = """
            insert into attempt_counter as c (scope, subject, failures, blocked_until, locked, updated_at)
            values (:scope, :subject, 1,
                    case when 1 >= :free then cast(:now as timestamptz) + make_interval(secs => cast(:base as double precision)) end,
                    :lock = 1, cast(:now as timestamptz))
            on conflict (scope, subject) do update set
                failures = c.failures + 1,
                blocked_until = case when c.failures + 1 >= :free
                    then cast(:now as timestamptz) + make_interval(secs => least(cast(:max as double precision), cast(:base as double precision) * power(2, least(c.failures + 1 - :free, 30))))
                    end,
                locked = (:lock > 0 and c.failures + 1 >= :lock),
                updated_at = cast(:now as timestamptz)
            where not c.locked and (c.blocked_until is null or c.blocked_until <= cast(:now as timestamptz))""";

    private static final String RESET = "delete from attempt_counter where scope = :scope and subject = :subject";

    private final Clock clock;

    AttemptThrottle(Clock clock) {
        this.clock = clock;
    }

    /**
     * Must run inside the caller's transaction; its outcome commits with it. One row changed means the attempt was
     * counted and may be evaluated; none means the counter is blocked or locked.
     */
    public Uni<Attempt> reserve(Policy policy, String subject) {
        Instant now = clock.instant();
        return Panache.getSession().flatMap(session -> session.createNativeQuery(RESERVE)
                .setParameter("scope", policy.scope())
                .setParameter("subject", subject)
                .setParameter("free", policy.freeAttempts())
                .setParameter("base", (double) policy.baseDelay().toSeconds())
                .setParameter("max", (double) policy.maxDelay().toSeconds())
                .setParameter("lock", policy.lockAfter())
                .setParameter("now", now)
                .executeUpdate()
                .flatMap(counted -> counted == 1
                        ? Uni.createFrom().item((Attempt) new Attempt.Allowed())
                        : refusal(session, policy, subject, now)));
    }

    private Uni<Attempt> refusal(Mutiny.Session session, Policy policy, String subject, Instant now) {
        return state(session, policy.scope(), subject).map(state -> {
            if (state.locked()) {
                return new Attempt.Locked();
            }
            long wait = state.blockedUntil() == null ? 1 : Math.max(1, Duration.between(now, state.blockedUntil()).toMillis() / 1000 + 1);
            return new Attempt.Throttled(wait);
        });
    }

    /** Clears the counter after a success (or an admin reset). */
    public Uni<Void> reset(String scope, String subject) {
        return Panache.getSession().flatMap(session -> session.createNativeQuery(RESET)
                .setParameter("scope", scope)
                .setParameter("subject", subject)
                .executeUpdate())
                .replaceWithVoid();
    }

    /** The counter as stored (all zero when there is none). */
    public record State(int failures, Instant blockedUntil, boolean locked) {
    }

    public Uni<State> state(String scope, String subject) {
        return Panache.getSession().flatMap(session -> state(session, scope, subject));
    }

    private static Uni<State> state(Mutiny.Session session, String scope, String subject) {
        return session.createSelectionQuery("from AttemptCounter where scope = ?1 and subject = ?2", AttemptCounter.class)
                .setParameter(1, scope)
                .setParameter(2, subject)
                .getSingleResultOrNull()
                .map(c -> c == null ? new State(0, null, false) : new State(c.failures, c.blockedUntil, c.locked));
    }
}
