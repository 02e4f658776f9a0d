package io.twofa.device;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.twofa.database.Sql;
import io.twofa.database.Statement;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;

/**
 * All SQL on {@code device_authorization} (V30__device_authorization.sql). Creation, lookups, decisions and polls run
 * on the reactive SQL client, each one statement (a decision and its audit row together); the redemption runs in the
 * Hibernate transaction that also starts the device's session.
 */
@ApplicationScoped
class DeviceAuthorizationRepository {

    static final String PENDING = "pending";
    static final String APPROVED = "approved";
    static final String DENIED = "denied";
    static final String REDEEMED = "redeemed";
    /** The common table expressions an audit row of {@link #insert} and {@link #decide} is gated on. */
    static final String CREATED = "created";
    static final String DECIDED = "decided";

    /** A new authorization as stored. */
    record NewAuthorization(UUID id, byte[] deviceCodeHash, byte[] userCodeHash, String client, String deviceName,
            Instant requestedAt, String requestedFrom, Instant expiresAt, int intervalSeconds) {
    }

    /** Who decided, and (for an approval) what their sign-in proved. */
    record Decider(UUID accountId, String from, String amr, String factor, Instant authTime) {
    }

    /** The state of an authorization after a poll; {@code tooSoon}: this poll came before the interval had passed. */
    record Polled(UUID id, String status, String client, String deviceName, Instant expiresAt, int intervalSeconds, boolean tooSoon,
            UUID accountId, String amr, String factor, Instant authTime) {
    }

    private static final String INSERT = """
            insert into device_authorization (id, device_code_hash, user_code_hash, client, device_name, requested_at,
                requested_from, expires_at, interval_seconds)
            values (:device_id, :device_code_hash, :device_user_code_hash, :device_client, :device_name::varchar,
                :device_requested_at, :device_requested_from::varchar, :device_expires_at, :device_interval)
            returning 1""";

    private static final String FIND = """
            select id, client, device_name, requested_at, requested_from, expires_at from device_authorization
            where user_code_hash = any(:device_user_code_hashes) and (status = 'pending' or not :device_pending_only)
              and expires_at > :device_now::timestamptz""";

    /** A decision: only while pending and unexpired, so a user code works for one approval or denial. */
    private static final String DECIDE = """
            update device_authorization set status = :device_status, account_id = :device_account, decided_at = :device_now,
                decided_from = :device_from::varchar, amr = :device_amr::varchar, factor = :device_factor::varchar,
                auth_time = :device_auth_time::timestamptz
            where id = :device_id and status = 'pending' and expires_at > :device_now::timestamptz
            returning 1""";

    /**
     * A poll: records its time and, when it came sooner than the interval after the previous poll of a pending
     * authorization, adds 5 s to the interval (RFC 8628 §3.5 slow_down). The row is locked first, so concurrent polls
     * are judged one after the other.
     */
    private static final String POLL = """
            update device_authorization d set last_polled_at = :device_now,
                interval_seconds = case when o.too_soon then o.interval_seconds + 5 else o.interval_seconds end
            from (select id, interval_seconds,
                         status = 'pending' and expires_at > :device_now::timestamptz and last_polled_at is not null
                             and last_polled_at + make_interval(secs => interval_seconds) > :device_now::timestamptz as too_soon
                  from device_authorization where device_code_hash = :device_code_hash for update) o
            where d.id = o.id
            returning d.id, d.status, d.client, d.device_name, d.expires_at, d.interval_seconds, o.too_soon, d.account_id, d.amr, d.factor,
                d.auth_time""";

    private static final String REDEEM = "update device_authorization set status = 'redeemed', redeemed_at = :now "
            + "where id = :id and status = 'approved' and expires_at > :now";

    private static final String DELETE_EXPIRED = "delete from device_authorization where id = any(array("
            + "select id from device_authorization where expires_at < :device_before limit :device_batch))";

    private final Pool pool;

    DeviceAuthorizationRepository(Pool pool) {
        this.pool = pool;
    }

    /** Stores the authorization and, in the same statement, its audit row (gated on {@link #CREATED}); fails with a unique violation when its user code is taken. */
    Uni<Void> insert(NewAuthorization a, Sql auditRow) {
        Sql insert = Sql.of(INSERT, "device_id", a.id(), "device_code_hash", a.deviceCodeHash(), "device_user_code_hash",
                a.userCodeHash(), "device_client", a.client(), "device_name", a.deviceName(), "device_requested_at",
                a.requestedAt(), "device_requested_from", a.requestedFrom(), "device_expires_at", a.expiresAt(),
                "device_interval", a.intervalSeconds());
        Statement.Rendered statement = Statement.with(CREATED, insert).and("audit_requested", auditRow)
                .select(Sql.of("select count(*) as n from created"));
        return pool.preparedQuery(statement.sql()).execute(statement.args()).replaceWithVoid();
    }

    /** Whether a failure is the unique violation of a user code that is taken (try another). */
    static boolean isUserCodeTaken(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof io.vertx.pgclient.PgException pg && "23505".equals(pg.getSqlState())
                    && "device_authorization_user_code".equals(pg.getConstraint())) {
                return true;
            }
        }
        return false;
    }

    /** The unexpired (and if asked, pending) authorization whose user code hashes to one of {@code hashes}; null when none. */
    Uni<PendingDevice> find(List<byte[]> hashes, boolean pendingOnly, Instant now, String displayCode) {
        Statement.Rendered statement = Statement.of(Sql.of(FIND, "device_user_code_hashes", hashes, "device_pending_only",
                pendingOnly, "device_now", now));
        return pool.preparedQuery(statement.sql()).execute(statement.args()).map(rows -> {
            if (!rows.iterator().hasNext()) {
                return null;
            }
            Row row = rows.iterator().next();
            return new PendingDevice(row.getUUID("id"), displayCode, row.getString("client"), row.getString("device_name"),
                    instant(row, "requested_at"), row.getString("requested_from"), instant(row, "expires_at"));
        });
    }

    /**
     * Approves or denies a pending authorization, writing {@code auditRow} (gated on {@link #DECIDED}) or, when it was
     * not pending, {@code auditNotDecided} (gated on its absence) in the same statement.
     * False when it was no longer pending (decided, or expired, meanwhile).
     */
    Uni<Boolean> decide(UUID id, String status, Decider decider, Instant now, Sql auditRow, Sql auditNotDecided) {
        Sql decide = Sql.of(DECIDE, "device_status", status, "device_account", decider.accountId(), "device_now", now,
                "device_from", decider.from(), "device_amr", decider.amr(), "device_factor", decider.factor(),
                "device_auth_time", decider.authTime(), "device_id", id);
        Statement.Rendered statement = Statement.with(DECIDED, decide).and("audit_decided", auditRow).and("audit_not_decided", auditNotDecided)
                .select(Sql.of("select count(*) as n from decided"));
        return pool.preparedQuery(statement.sql()).execute(statement.args())
                .map(rows -> rows.iterator().next().getLong("n") == 1);
    }

    /** Records a poll of the device code whose hash is {@code hash}; null when no authorization has it. */
    Uni<Polled> poll(byte[] hash, Instant now) {
        Statement.Rendered statement = Statement.of(Sql.of(POLL, "device_now", now, "device_code_hash", hash));
        return pool.preparedQuery(statement.sql()).execute(statement.args()).map(rows -> {
            if (!rows.iterator().hasNext()) {
                return null;
            }
            Row row = rows.iterator().next();
            return new Polled(row.getUUID("id"), row.getString("status"), row.getString("client"), row.getString("device_name"),
                    instant(row, "expires_at"),
                    row.getInteger("interval_seconds"), row.getBoolean("too_soon"), row.getUUID("account_id"),
                    row.getString("amr"), row.getString("factor"), instant(row, "auth_time"));
        });
    }

    /**
     * Marks an approved, unexpired authorization redeemed, in the caller's Hibernate transaction: 1 for the one request
     * that does it, 0 for every other (concurrent polls wait for the row and then find it redeemed).
     */
    Uni<Integer> redeemInTransaction(UUID id, Instant now) {
        return Panache.getSession().chain(session -> session.createNativeQuery(REDEEM)
                .setParameter("id", id)
                .setParameter("now", OffsetDateTime.ofInstant(now, java.time.ZoneOffset.UTC))
                .executeUpdate());
    }

    /** Deletes up to {@code batch} authorizations that expired before {@code before}; the number deleted. */
    Uni<Integer> deleteExpired(Instant before, int batch) {
        Statement.Rendered statement = Statement.of(Sql.of(DELETE_EXPIRED, "device_before", before, "device_batch", batch));
        return pool.preparedQuery(statement.sql()).execute(statement.args()).map(rows -> rows.rowCount());
    }

    private static Instant instant(Row row, String column) {
        OffsetDateTime value = row.getOffsetDateTime(column);
        return value == null ? null : value.toInstant();
    }
}
