package io.twofa.throttle;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.twofa.database.Sql;
import io.twofa.database.Statement;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;

/**
 * All SQL on the {@code attempt_counter} and {@code known_address} tables. Counters live outside the request's
 * transaction, on the reactive SQL client: a reservation counts from the moment it is made, whatever becomes of the
 * request. The password scopes are described in V15__password_throttle_by_address.sql and docs/throttling.md.
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

    static final String PAIR = "pw_pair";
    static final String ADDRESS = "pw_address";
    static final String LOGIN = "pw_login";

    /** This attempt's password counters as the statement's snapshot sees them, without locking them. */
    private static final String PW_PEEK = """
            select scope, failures, blocked_until, expires_at, recent from attempt_counter
            where (scope = 'pw_address' and subject = :pw_addr) or (scope = 'pw_login' and subject = :pw_login)
               or (scope = 'pw_pair' and subject = :pw_pair)""";

    /**
     * Whether the snapshot shows a wait that refuses the attempt already (address budget, or login at this address).
     * Then nothing is locked: a flood from an address that waits is answered from reads alone, and its requests do not
     * queue on its counter's lock (which would hold database connections that other users need).
     */
    private static final String PW_PEEK_REFUSES = """
            select 1 from pw_peek p cross join pw_known k
            where p.expires_at > :pw_now::timestamptz and p.blocked_until > :pw_now::timestamptz
              and (p.scope = 'pw_pair' or (p.scope = 'pw_address' and not k.known))""";

    /**
     * Otherwise the counters that apply (a known address's attempt: only its own), locked in one order so concurrent
     * attempts queue instead of deadlocking, and read at their latest committed state: the decision below is taken on
     * what the other attempts have counted, so a parallel burst gets exactly the free evaluations and no attempt is
     * counted in one scope but refused by another.
     */
    private static final String PW_LOCKED = """
            select scope, failures, blocked_until, expires_at, recent from attempt_counter
            where ((scope = 'pw_address' and subject = :pw_addr and not (select known from pw_known))
                   or (scope = 'pw_login' and subject = :pw_login and not (select known from pw_known))
                   or (scope = 'pw_pair' and subject = :pw_pair))
              and not exists (select 1 from pw_peek_refuses)
            order by scope, subject
            for update""";

    /** The rows the decision is taken on: the locked ones, or the snapshot's when it refuses already. */
    private static final String PW_ROWS = """
            select * from pw_locked
            union all
            select * from pw_peek where exists (select 1 from pw_peek_refuses)""";

    private static final String PW_KNOWN = """
            select exists (select 1 from known_address where subject = :pw_login and address = :pw_addr
                           and last_success_at > :pw_known_since::timestamptz) as known""";

    /** The ceiling's failures in the window, and when their number falls below the ceiling again. */
    private static final String PW_WINDOW = """
            select l.blocked_until as slot_until, count(r.at) as n,
                   (array_agg(r.at order by r.at))[(count(r.at) - :pw_c_limit + 1)::int]
                       + make_interval(secs => :pw_c_window::float8) as lifts
            from pw_live l left join lateral unnest(l.recent) as r(at) on r.at > :pw_c_since::timestamptz
            where l.scope = 'pw_login'
            group by l.blocked_until""";

    /**
     * Each scope's wait, null when it admits the attempt. A known address is outside the address budget and the
     * ceiling. Over the ceiling, an address that failed for this login in the window waits until the ceiling lifts; an
     * address that has not may take the slot (one evaluation per slot).
     */
    private static final String PW_DECISION = """
            select k.known,
                exists (select 1 from pw_live where scope = 'pw_pair' and failures > 0) as failed_here,
                case when not k.known then (select blocked_until from pw_live
                    where scope = 'pw_address' and blocked_until > :pw_now::timestamptz) end as address_wait,
                (select blocked_until from pw_live where scope = 'pw_pair' and blocked_until > :pw_now::timestamptz) as pair_wait,
                case when not k.known then (select case
                        when w.n < :pw_c_limit then null
                        when exists (select 1 from pw_live where scope = 'pw_pair' and failures > 0) then w.lifts
                        when w.slot_until > :pw_now::timestamptz then w.slot_until
                    end from pw_window w) end as ceiling_wait
            from pw_known k""";

    /** The ceiling counts the attempt; over the ceiling (a slot evaluation) it also closes the slot. */
    private static final String PW_COUNT_CEILING = """
            insert into attempt_counter as c (scope, subject, failures, blocked_until, locked, updated_at, expires_at, recent)
            select 'pw_login', :pw_login, 1, null, false, :pw_now, :pw_now::timestamptz + make_interval(secs => :pw_c_window::float8),
                   array[:pw_now::timestamptz]
            from pw_admit where not known and :pw_room and exists (select 1 from pw_count_address)
            on conflict (scope, subject) do update set
                recent = array(select r.at from unnest(c.recent) as r(at) where r.at > :pw_c_since::timestamptz order by r.at)
                    || :pw_now::timestamptz,
                failures = (select count(*) from unnest(c.recent) as r(at) where r.at > :pw_c_since::timestamptz) + 1,
                blocked_until = case when (select count(*) from unnest(c.recent) as r(at) where r.at > :pw_c_since::timestamptz)
                    >= :pw_c_limit then :pw_now::timestamptz + make_interval(secs => :pw_c_slot::float8) else c.blocked_until end,
                updated_at = :pw_now,
                expires_at = :pw_now::timestamptz + make_interval(secs => :pw_c_window::float8)
            where (select count(*) from unnest(c.recent) as r(at) where r.at > :pw_c_since::timestamptz) < :pw_c_limit
               or (not (select failed_here from pw_admit) and (c.blocked_until is null or c.blocked_until <= :pw_now::timestamptz))
            returning 1""";

    /**
     * A consecutive-failure counter of the password throttle ({@code p}: its parameter prefix), counted only when
     * {@code source} yields a row. An expired row starts again at 1; the update re-checks the wait (a row inserted by a
     * concurrent attempt after this statement's snapshot).
     */
    private static String countConsecutive(String scope, String subject, String p, String source) {
        String n = "(case when c.expires_at <= :pw_now::timestamptz then 1 else c.failures + 1 end)";
        String expiry = ":pw_now::timestamptz + make_interval(secs => :" + p + "forget::float8)";
        return "insert into attempt_counter as c (scope, subject, failures, blocked_until, locked, updated_at, expires_at)\n"
                + "select '" + scope + "', :" + subject + ", 1, " + waitAfter("1", p) + ", false, :pw_now, " + expiry + "\n"
                + source + "\n"
                + "on conflict (scope, subject) do update set failures = " + n + ", blocked_until = " + waitAfter(n, p)
                + ", updated_at = :pw_now, expires_at = " + expiry + "\n"
                + "where c.expires_at <= :pw_now::timestamptz or c.blocked_until is null or c.blocked_until <= :pw_now::timestamptz\n"
                + "returning 1";
    }

    /** The end of the wait after {@code n} consecutive failures: none before {@code free}, then doubling to the max. */
    private static String waitAfter(String n, String p) {
        return "case when " + n + " >= :" + p + "free then :pw_now::timestamptz + make_interval(secs => least(:" + p
                + "max::float8, :" + p + "delay::float8 * power(2, least(" + n + " - :" + p + "free, 30)))) end";
    }

    /**
     * What the statement answers: whether the attempt was counted (and may be evaluated); whether every scope admitted
     * it but there was no room to hash it ({@code busy}: then only the address budget counted it); each scope's wait.
     */
    private static final String PW_RESULT = "select (select count(*) from pw_count_pair) as counted, d.known, "
            + "exists (select 1 from pw_admit) and not :pw_room as busy, "
            + "d.address_wait, d.pair_wait, d.ceiling_wait from pw_decision d";

    /**
     * After a right password: the pair counter goes; the address budget too, unless the address was known (known
     * addresses neither use nor reset it); the ceiling forgets this attempt (it was no failure) but keeps the others,
     * so the owner's logins do not give a distributed guesser a fresh ceiling; the address becomes known.
     */
    private static final String PW_SUCCEEDED = """
            with pw_pair_cleared as (
                delete from attempt_counter where scope = 'pw_pair' and subject = :pw_pair),
            pw_address_cleared as (
                delete from attempt_counter where scope = 'pw_address' and subject = :pw_addr and not :pw_known),
            pw_refunded as (
                update attempt_counter set
                    recent = recent[1 : array_position(recent, :pw_at::timestamptz) - 1]
                        || recent[array_position(recent, :pw_at::timestamptz) + 1 :],
                    failures = greatest(failures - 1, 0)
                where scope = 'pw_login' and subject = :pw_login and not :pw_known
                  and array_position(recent, :pw_at::timestamptz) is not null),
            pw_known_now as (
                insert into known_address (subject, address, last_success_at) values (:pw_login, :pw_addr, :pw_now)
                on conflict (subject, address) do update set last_success_at = excluded.last_success_at)
            select 1""";

    /** Takes back the counts of an admitted attempt that was not evaluated (see Throttle#passwordNotEvaluated). */
    private static final String PW_NOT_EVALUATED = """
            with pw_pair_back as (
                update attempt_counter set failures = greatest(failures - 1, 0),
                    blocked_until = case when failures - 1 < :pw_p_free then null else blocked_until end
                where scope = 'pw_pair' and subject = :pw_pair and failures > 0),
            pw_address_back as (
                update attempt_counter set failures = greatest(failures - 1, 0),
                    blocked_until = case when failures - 1 < :pw_a_free then null else blocked_until end
                where scope = 'pw_address' and subject = :pw_addr and failures > 0 and not :pw_keep_address),
            pw_refunded as (
                update attempt_counter set
                    recent = recent[1 : array_position(recent, :pw_at::timestamptz) - 1]
                        || recent[array_position(recent, :pw_at::timestamptz) + 1 :],
                    failures = greatest(failures - 1, 0)
                where scope = 'pw_login' and subject = :pw_login
                  and array_position(recent, :pw_at::timestamptz) is not null)
            select 1""";

    /** Every password counter of a login except address budgets (shared by all logins of an address). */
    private static final String PW_CLEAR_LOGIN = """
            delete from attempt_counter
            where (scope = 'pw_pair' and substr(subject, strpos(subject, ' ') + 1) = :pw_login)
               or (scope = 'pw_login' and subject = :pw_login)
            returning 1""";

    /** The latest end of a wait of this login: a per-address wait, or the ceiling while it holds. */
    private static final String PW_THROTTLED_UNTIL = """
            select greatest(
                (select max(blocked_until) from attempt_counter where scope = 'pw_pair'
                    and substr(subject, strpos(subject, ' ') + 1) = :pw_login and expires_at > :pw_now::timestamptz),
                (select (array_agg(r.at order by r.at))[(count(r.at) - :pw_c_limit + 1)::int]
                        + make_interval(secs => :pw_c_window::float8)
                    from attempt_counter l cross join lateral unnest(l.recent) as r(at)
                    where l.scope = 'pw_login' and l.subject = :pw_login and r.at > :pw_c_since::timestamptz)) as until""";

    private static final String FORGET_KNOWN = "delete from known_address where subject = :pw_login";
    private static final String DELETE_EXPIRED = """
            delete from attempt_counter where ctid = any(array(
                select ctid from attempt_counter where expires_at <= :expired_at limit :batch))""";
    private static final String DELETE_STALE_KNOWN = "delete from known_address where last_success_at <= :known_before";

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

    /** The parameters of a password reservation (names shared by the pieces of its statement). */
    static List<Object> passwordParams(Throttle.PasswordRules rules, String login, String address, Instant now) {
        List<Object> p = new ArrayList<>(List.of("pw_login", login, "pw_addr", address, "pw_pair", address + " " + login,
                "pw_now", now, "pw_known_since", now.minus(rules.knownFor()), "pw_c_since", now.minus(rules.ceilingWindow()),
                "pw_c_limit", rules.ceiling(), "pw_c_window", seconds(rules.ceilingWindow()), "pw_c_slot", seconds(rules.ceilingSlot())));
        addPolicy(p, "pw_a_", rules.perAddress(), rules.forgetAfter());
        // a pair counter outlives the ceiling's window: "this address failed for this login" is read from it
        addPolicy(p, "pw_p_", rules.perLoginAndAddress(), max(rules.forgetAfter(), rules.ceilingWindow()));
        return p;
    }

    private static void addPolicy(List<Object> p, String prefix, Throttle.Policy policy, Duration forget) {
        p.addAll(List.of(prefix + "free", policy.freeAttempts(), prefix + "delay", seconds(policy.baseDelay()),
                prefix + "max", seconds(policy.maxDelay()), prefix + "forget", seconds(forget)));
    }

    private static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** The result of a password reservation, as the statement returned it. */
    record PasswordRow(boolean counted, boolean known, boolean busy, Instant addressWait, Instant pairWait, Instant ceilingWait) {
    }

    /**
     * Reserves a password attempt in all its scopes, in one statement: admitted only if every scope admits it, and then
     * counted in every scope; without {@code room} to hash it, an admitted attempt is counted in the address budget only
     * (an address that keeps asking while the service is busy spends its budget). {@code extras}: pieces of the caller
     * (e.g. audit rows) that run in the same statement, gated on the refusal gates ({@link PasswordRefusal#gate()}).
     */
    Uni<PasswordRow> reservePassword(Throttle.PasswordRules rules, String login, String address, Instant now, boolean room,
            List<Sql> extras) {
        List<Object> all = passwordParams(rules, login, address, now);
        all.addAll(List.of("pw_room", room));
        Object[] params = all.toArray();
        Statement statement = Statement.with("pw_known", Sql.of(PW_KNOWN, params))
                .and("pw_peek", Sql.of(PW_PEEK, params))
                .and("pw_peek_refuses", Sql.of(PW_PEEK_REFUSES, params))
                .and("pw_locked", Sql.of(PW_LOCKED, params))
                .and("pw_rows", Sql.of(PW_ROWS, params))
                .and("pw_live", Sql.of("select * from pw_rows where expires_at > :pw_now::timestamptz", params))
                .and("pw_window", Sql.of(PW_WINDOW, params))
                .and("pw_decision", Sql.of(PW_DECISION, params))
                .and("pw_admit", Sql.of("select known, failed_here from pw_decision "
                        + "where address_wait is null and pair_wait is null and ceiling_wait is null"))
                .and("pw_count_address", Sql.of(countConsecutive(ADDRESS, "pw_addr", "pw_a_", "from pw_admit where not known"), params))
                .and("pw_count_ceiling", Sql.of(PW_COUNT_CEILING, params))
                .and("pw_count_pair", Sql.of(countConsecutive(PAIR, "pw_pair", "pw_p_",
                        "from pw_admit where :pw_room and (known or exists (select 1 from pw_count_ceiling))"), params))
                .and(PasswordRefusal.ADDRESS.gate(), Sql.of("select 1 from pw_decision where address_wait is not null"))
                .and(PasswordRefusal.LOGIN_AT_ADDRESS.gate(), Sql.of("select 1 from pw_decision "
                        + "where address_wait is null and pair_wait is not null"))
                // also an attempt admitted on the snapshot but refused by a counter a concurrent attempt inserted meanwhile
                .and(PasswordRefusal.LOGIN_CEILING.gate(), Sql.of("select 1 from pw_decision where address_wait is null "
                        + "and pair_wait is null and :pw_room and not exists (select 1 from pw_count_pair)", "pw_room", room));
        for (int i = 0; i < extras.size(); i++) {
            statement.and("pw_extra_" + i, extras.get(i));
        }
        Statement.Rendered rendered = statement.select(Sql.of(PW_RESULT, "pw_room", room));
        return pool.preparedQuery(rendered.sql()).execute(rendered.args()).map(rows -> {
            Row row = rows.iterator().next();
            return new PasswordRow(row.getLong("counted") > 0, row.getBoolean("known"), row.getBoolean("busy"), instant(row, "address_wait"),
                    instant(row, "pair_wait"), instant(row, "ceiling_wait"));
        });
    }

    Uni<Void> passwordSucceeded(String login, String address, boolean known, Instant reservedAt, Instant now) {
        Statement.Rendered statement = Statement.of(Sql.of(PW_SUCCEEDED, "pw_login", login, "pw_addr", address,
                "pw_pair", address + " " + login, "pw_known", known, "pw_at", reservedAt, "pw_now", now));
        return pool.preparedQuery(statement.sql()).execute(statement.args()).replaceWithVoid();
    }

    /** {@code keepAddress}: the address budget keeps its count (a known address's attempt was not in it at all). */
    Uni<Void> passwordNotEvaluated(Throttle.PasswordRules rules, String login, String address, boolean keepAddress,
            Instant reservedAt) {
        Statement.Rendered statement = Statement.of(Sql.of(PW_NOT_EVALUATED, "pw_login", login, "pw_addr", address,
                "pw_pair", address + " " + login, "pw_keep_address", keepAddress, "pw_at", reservedAt,
                "pw_p_free", rules.perLoginAndAddress().freeAttempts(), "pw_a_free", rules.perAddress().freeAttempts()));
        return pool.preparedQuery(statement.sql()).execute(statement.args()).replaceWithVoid();
    }

    /** Removes the login's password counters and runs {@code also} in the same statement; the number removed. */
    Uni<Integer> clearPassword(String login, Sql also) {
        Statement.Rendered statement = Statement.with("pw_cleared", Sql.of(PW_CLEAR_LOGIN, "pw_login", login))
                .and("pw_also", also)
                .select(Sql.of("select count(*) as n from pw_cleared"));
        return pool.preparedQuery(statement.sql()).execute(statement.args())
                .map(rows -> (int) rows.iterator().next().getLong("n").longValue());
    }

    Uni<Instant> passwordThrottledUntil(Throttle.PasswordRules rules, String login, Instant now) {
        Statement.Rendered statement = Statement.of(Sql.of(PW_THROTTLED_UNTIL, "pw_login", login, "pw_now", now,
                "pw_c_limit", rules.ceiling(), "pw_c_window", seconds(rules.ceilingWindow()),
                "pw_c_since", now.minus(rules.ceilingWindow())));
        return pool.preparedQuery(statement.sql()).execute(statement.args())
                .map(rows -> instant(rows.iterator().next(), "until"));
    }

    Uni<Void> forgetKnownAddresses(String login) {
        Statement.Rendered statement = Statement.of(Sql.of(FORGET_KNOWN, "pw_login", login));
        return pool.preparedQuery(statement.sql()).execute(statement.args()).replaceWithVoid();
    }

    /** Deletes up to {@code batch} expired counter rows; the number deleted. */
    Uni<Integer> deleteExpired(Instant now, int batch) {
        Statement.Rendered statement = Statement.of(Sql.of(DELETE_EXPIRED, "expired_at", now, "batch", batch));
        return pool.preparedQuery(statement.sql()).execute(statement.args()).map(rows -> rows.rowCount());
    }

    Uni<Integer> deleteStaleKnownAddresses(Instant knownBefore) {
        Statement.Rendered statement = Statement.of(Sql.of(DELETE_STALE_KNOWN, "known_before", knownBefore));
        return pool.preparedQuery(statement.sql()).execute(statement.args()).map(rows -> rows.rowCount());
    }

    private static Instant instant(Row row, String column) {
        var value = row.getOffsetDateTime(column);
        return value == null ? null : value.toInstant();
    }
}
