package io.twofa.throttle;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Stream;

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
 * <p>
 * Passwords are reserved in several scopes at once ({@link #reservePassword}): per login and client address, per
 * address over all logins, and a per-login ceiling over a rolling window, with the account's known addresses outside
 * the last two (docs/throttling.md).
 */
@ApplicationScoped
public class Throttle {

    /** What a throttle counts; each scope has its own counters and limits. {@code lockAfter} 0: never locks. */
    public record Policy(String scope, int freeAttempts, Duration baseDelay, Duration maxDelay, int lockAfter) {
    }

    /** The counter as stored (all zero when there is none). */
    public record State(int failures, Instant blockedUntil, boolean locked) {
    }

    /**
     * The password throttle's rules. {@code perLoginAndAddress} and {@code perAddress} never lock; {@code ceiling}
     * failed evaluations per {@code ceilingWindow}, beyond it one per {@code ceilingSlot}.
     */
    public record PasswordRules(Policy perLoginAndAddress, Policy perAddress, int ceiling, Duration ceilingWindow,
            Duration ceilingSlot, Duration knownFor, Duration forgetAfter, int ipv6PrefixLength) {
    }

    /**
     * A password reservation: {@code attempt} says whether to evaluate; {@code refusal} why not (null when allowed, or
     * when {@code busy}: every scope admitted the attempt but there was no room to hash it). Pass it to
     * {@link #passwordSucceeded} after a right password.
     */
    public record PasswordReservation(Attempt attempt, PasswordRefusal refusal, boolean busy, boolean knownAddress,
            String subject, String addressKey, Instant at, PasswordRules rules) {
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

    /**
     * Reserves a password attempt for {@code login} from {@code clientAddress} in all scopes, in one statement committed
     * at once: evaluate it only if {@link Attempt.Allowed}. Without {@code room} to hash it, an attempt that every scope
     * admits is counted in the address budget only and answered {@code busy}. {@code onRefusal} gives, per refusal
     * reason, a piece to run in the same statement when the attempt is refused for that reason (gated on
     * {@link PasswordRefusal#gate()}), or null.
     */
    public Uni<PasswordReservation> reservePassword(PasswordRules rules, String login, String clientAddress, boolean room,
            Function<PasswordRefusal, Sql> onRefusal) {
        // microseconds, as PostgreSQL stores them: the success finds this attempt in the ceiling by its time
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        String subject = subjectOf(login);
        String address = ClientAddresses.key(clientAddress, rules.ipv6PrefixLength());
        List<Sql> extras = new ArrayList<>();
        for (PasswordRefusal refusal : PasswordRefusal.values()) {
            Sql piece = onRefusal.apply(refusal);
            if (piece != null) {
                extras.add(piece);
            }
        }
        return counters.reservePassword(rules, subject, address, now, room, extras).map(row -> {
            if (row.counted()) {
                return new PasswordReservation(new Attempt.Allowed(), null, false, row.known(), subject, address, now, rules);
            }
            if (row.busy()) {
                return new PasswordReservation(new Attempt.Throttled(1), null, true, row.known(), subject, address, now, rules);
            }
            PasswordRefusal refusal = row.addressWait() != null ? PasswordRefusal.ADDRESS
                    : row.pairWait() != null ? PasswordRefusal.LOGIN_AT_ADDRESS : PasswordRefusal.LOGIN_CEILING;
            Instant until = Stream.of(row.addressWait(), row.pairWait(), row.ceilingWait()).filter(Objects::nonNull)
                    .max(Instant::compareTo).orElse(now);
            return new PasswordReservation(new Attempt.Throttled(secondsUntil(now, until)), refusal, false, row.known(),
                    subject, address, now, rules);
        });
    }

    /** After a right password: clears what the attempt's scopes allow (see ThrottleRepository) and remembers the address. */
    public Uni<Void> passwordSucceeded(PasswordReservation reservation) {
        return counters.passwordSucceeded(reservation.subject(), reservation.addressKey(), reservation.knownAddress(),
                reservation.at(), clock.instant());
    }

    /**
     * An admitted attempt that was not evaluated after all (no room to hash it, or its client left): its counts are
     * given back, except the address budget's when {@code chargeAddress} (an address asking while the service is busy
     * spends its budget). A failure count that falls below its free attempts lifts its wait; one above keeps it.
     */
    public Uni<Void> passwordNotEvaluated(PasswordReservation reservation, boolean chargeAddress) {
        return counters.passwordNotEvaluated(reservation.rules(), reservation.subject(), reservation.addressKey(),
                reservation.knownAddress() || chargeAddress, reservation.at());
    }

    /** The key a client address is counted under (an IPv6 address: its network); never null. */
    public static String addressKey(PasswordRules rules, String clientAddress) {
        return ClientAddresses.key(clientAddress, rules.ipv6PrefixLength());
    }

    /**
     * An admin's relief: removes the login's per-address counters and its ceiling (address budgets stay: they are
     * shared by every login of an address), running {@code also} (e.g. the audit row) in the same statement. Returns
     * the number of counters removed.
     */
    public Uni<Integer> clearPassword(String login, Sql also) {
        return counters.clearPassword(subjectOf(login), also);
    }

    /** Until when some address must wait before this login's password is evaluated from it; null when none. */
    public Uni<Instant> passwordThrottledUntil(PasswordRules rules, String login) {
        Instant now = clock.instant();
        return counters.passwordThrottledUntil(rules, subjectOf(login), now)
                .map(until -> until != null && until.isAfter(now) ? until : null);
    }

    /** The login's known addresses are forgotten (after a password change, an old session's address earns no trust). */
    public Uni<Void> forgetKnownAddresses(String login) {
        return counters.forgetKnownAddresses(subjectOf(login));
    }

    /** Password counters are kept per login without regard to case, unknown logins alike. */
    private static String subjectOf(String login) {
        return login.toLowerCase(java.util.Locale.ROOT);
    }

    private static long secondsUntil(Instant now, Instant until) {
        return Math.max(1, (Duration.between(now, until).toMillis() + 999) / 1000);
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
