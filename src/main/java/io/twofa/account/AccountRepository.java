package io.twofa.account;

import java.util.Locale;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;

@ApplicationScoped
public class AccountRepository implements PanacheRepositoryBase<Account, UUID> {

    /** Case-insensitive, as logins are unique without regard to case. */
    public Uni<Account> findByLogin(String login) {
        return find("lower(login) = ?1", normalize(login)).firstResult();
    }

    public Uni<Boolean> anyExists() {
        return count().map(n -> n > 0);
    }

    public static String normalize(String login) {
        return login.toLowerCase(Locale.ROOT);
    }
}
