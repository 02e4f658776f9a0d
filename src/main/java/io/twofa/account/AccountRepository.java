package io.twofa.account;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import io.twofa.database.Sql;
import io.twofa.database.Statement;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;

@ApplicationScoped
public class AccountRepository implements PanacheRepositoryBase<Account, UUID> {

    @Inject
    Pool pool;

    /** Case-insensitive, as logins are unique without regard to case. */
    public Uni<Account> findByLogin(String login) {
        return find("lower(login) = ?1", normalize(login)).firstResult();
    }

    /**
     * The account's login and role (columns {@code account_login}, {@code account_role}), for a composed statement; no
     * row for a disabled account, which is answered like a missing one.
     */
    static Sql loginAndRole(UUID id) {
        return Sql.of("select login as account_login, role as account_role from account where id = :account_id "
                + "and status = 'active'", "account_id", id);
    }

    /**
     * Inserts the account unless its login is taken (the unique index on {@code lower(login)} decides, also between
     * concurrent requests); 1 = inserted, 0 = taken.
     */
    public Uni<Integer> insertIfLoginFree(Account account) {
        return insert(account, "");
    }

    /** The account as one row, inserted only where {@code condition} (a WHERE clause, or nothing) holds. */
    private static Uni<Integer> insert(Account account, String condition) {
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                insert into account (id, login, password_hash, role, created_at, status, password_change_required)
                select :id, :login, :hash, :role, :created, :status, :change
                """ + condition + "\non conflict do nothing")
                .setParameter("id", account.id)
                .setParameter("login", account.login)
                .setParameter("hash", account.passwordHash)
                .setParameter("role", account.role.wireName())
                .setParameter("created", account.createdAt)
                .setParameter("status", account.status.wireName())
                .setParameter("change", account.passwordChangeRequired)
                .executeUpdate());
    }

    /** The active admins, locked until the caller's transaction ends (so two demotions cannot both pass the count). */
    public Uni<List<Account>> lockActiveAdmins() {
        return find("role = ?1 and status = ?2", Role.ADMIN, AccountState.ACTIVE).withLock(LockModeType.PESSIMISTIC_WRITE)
                .list();
    }

    /** Sets a password the user must change at the next login (an admin's reset). */
    public Uni<Integer> setTemporaryPassword(UUID id, String hash) {
        return update("passwordHash = ?1, passwordChangeRequired = true where id = ?2", hash, id);
    }

    /**
     * One page of accounts in login order (case-insensitive), after {@code after} (keyset: deep pages cost the same
     * as the first). {@code enrolledAccounts}: per primary factor, the query of the ids of the accounts that have it.
     */
    Uni<List<AccountSummary>> list(AccountFilter filter, List<Sql> enrolledAccounts) {
        Map<String, Object> params = new LinkedHashMap<>();
        // one query per primary factor, each placed at {i}: an account is enrolled when any of them names it
        StringBuilder anyFactor = new StringBuilder();
        for (int i = 0; i < enrolledAccounts.size(); i++) {
            anyFactor.append(i == 0 ? "" : " or ").append("exists (select 1 from ({").append(i)
                    .append("}) as enrolled_account where enrolled_account.account_id = a.id)");
        }
        String enrolled = enrolledAccounts.isEmpty() ? "false" : "(" + anyFactor + ")";
        StringBuilder where = new StringBuilder("true");
        if (filter.role() != null) {
            where.append(" and a.role = :list_role");
            params.put("list_role", filter.role().wireName());
        }
        if (filter.status() != null) {
            where.append(" and a.status = :list_status");
            params.put("list_status", filter.status().wireName());
        }
        if (filter.loginPrefix() != null) {
            where.append(" and starts_with(lower(a.login), :list_prefix)");
            params.put("list_prefix", normalize(filter.loginPrefix()));
        }
        if (filter.after() != null) {
            where.append(" and lower(a.login) > :list_after");
            params.put("list_after", normalize(filter.after()));
        }
        if (filter.enrolled() != null) {
            where.append(filter.enrolled() ? " and " : " and not ").append(enrolled);
        }
        params.put("list_limit", filter.limit());
        Sql composed = Sql.compose("select a.id, a.login, a.role, a.status, a.created_at, a.password_change_required, "
                + enrolled + " as enrolled from account a where " + where + " order by lower(a.login) limit :list_limit",
                enrolledAccounts.toArray(Sql[]::new));
        Map<String, Object> all = new LinkedHashMap<>(composed.params());
        all.putAll(params);
        Statement.Rendered statement = Statement.of(new Sql(composed.text(), all));
        return pool.preparedQuery(statement.sql()).execute(statement.args()).map(rows -> {
            List<AccountSummary> page = new ArrayList<>();
            for (Row row : rows) {
                page.add(new AccountSummary(row.getUUID("id"), row.getString("login"), row.getString("role"),
                        row.getString("status"), row.getOffsetDateTime("created_at").toInstant(), row.getBoolean("enrolled"),
                        row.getBoolean("password_change_required")));
            }
            return page;
        });
    }

    public Uni<Boolean> anyExists() {
        return count().map(n -> n > 0);
    }

    /** Inserts the account only if no account exists at all (several instances may start at once); 1 = inserted. */
    public Uni<Integer> insertIfNoAccount(Account account) {
        return insert(account, "where not exists (select 1 from account)");
    }

    /** A password the user chose: any temporary one is gone with it. */
    public Uni<Integer> updatePasswordHash(UUID id, String hash) {
        return update("passwordHash = ?1, passwordChangeRequired = false where id = ?2", hash, id);
    }

    public static String normalize(String login) {
        return login.toLowerCase(Locale.ROOT);
    }
}
