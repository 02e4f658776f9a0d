package io.twofa.account;

import java.util.Locale;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import io.twofa.database.Sql;

@ApplicationScoped
public class AccountRepository implements PanacheRepositoryBase<Account, UUID> {

    /** Case-insensitive, as logins are unique without regard to case. */
    public Uni<Account> findByLogin(String login) {
        return find("lower(login) = ?1", normalize(login)).firstResult();
    }

    /** The account's login and role (columns {@code account_login}, {@code account_role}), for a composed statement. */
    static Sql loginAndRole(UUID id) {
        return Sql.of("select login as account_login, role as account_role from account where id = :account_id", "account_id", id);
    }

    public Uni<Boolean> anyExists() {
        return count().map(n -> n > 0);
    }

    /** Inserts the account only if no account exists at all (several instances may start at once); 1 = inserted. */
    public Uni<Integer> insertIfNoAccount(Account account) {
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                insert into account (id, login, password_hash, role, created_at)
                select :id, :login, :hash, :role, :created
                where not exists (select 1 from account)
                on conflict do nothing""")
                .setParameter("id", account.id)
                .setParameter("login", account.login)
                .setParameter("hash", account.passwordHash)
                .setParameter("role", account.role.wireName())
                .setParameter("created", account.createdAt)
                .executeUpdate());
    }

    public Uni<Integer> updatePasswordHash(UUID id, String hash) {
        return update("passwordHash = ?1 where id = ?2", hash, id);
    }

    public static String normalize(String login) {
        return login.toLowerCase(Locale.ROOT);
    }
}
