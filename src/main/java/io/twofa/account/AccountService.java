package io.twofa.account;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.twofa.audit.AuditLog;
import io.twofa.audit.AuditType;
import io.twofa.database.Sql;
import io.twofa.error.ProblemException;
import io.twofa.error.ProblemType;
import io.twofa.error.Require;
import io.twofa.factor.FactorStatus;
import io.twofa.factor.SecondFactors;
import io.twofa.throttle.Throttle;
import io.twofa.throttle.Throttles;
import io.twofa.web.RequestOrigin;

/** Creates accounts, changes passwords, resets second factors and reports an account's state (SPEC §7). */
@ApplicationScoped
public class AccountService {

    private final AccountRepository accounts;
    private final SecondFactors factors;
    private final Throttle throttle;
    private final Throttles throttles;
    private final PasswordVerifier passwords;
    private final Instance<AccountListener> listeners;
    private final AuditLog audit;
    private final Clock clock;

    AccountService(AccountRepository accounts, SecondFactors factors, Throttle throttle, Throttles throttles,
            PasswordVerifier passwords, Instance<AccountListener> listeners, AuditLog audit, Clock clock) {
        this.accounts = accounts;
        this.factors = factors;
        this.throttle = throttle;
        this.throttles = throttles;
        this.passwords = passwords;
        this.listeners = listeners;
        this.audit = audit;
        this.clock = clock;
    }

    public Uni<Account> create(String login, String password, Role role, String actor, RequestOrigin origin) {
        String valid = validLogin(login);
        Require.text("password", password, 8, 1024);
        return passwords.hash(password).flatMap(hash -> Panache.withTransaction(() -> accounts.findByLogin(valid)
                .flatMap(existing -> {
                    if (existing != null) {
                        return Uni.createFrom().failure(loginTaken(valid));
                    }
                    Account account = newAccount(valid, hash, role);
                    return accounts.persist(account)
                            .call(() -> audit.record(AuditType.ACCOUNT_CREATED, actor, valid, origin, "role " + role.wireName()));
                })));
    }

    static ProblemException loginTaken(String login) {
        return new ProblemException(ProblemType.LOGIN_TAKEN, "The login '" + login + "' is taken.");
    }

    /**
     * Changes the caller's password. The current one is checked under the password throttle (a wrong one counts as a
     * failed attempt); the new hash and the end of every session share one transaction.
     */
    public Uni<Void> changePassword(UUID accountId, String current, String next, RequestOrigin origin) {
        Require.text("current_password", current, 1, 1024);
        Require.text("new_password", next, 8, 1024);
        return passwords.confirmAccount(accountId, current, origin).flatMap(account -> passwords.hash(next)
                .flatMap(hash -> Panache.withTransaction(() -> accounts.updatePasswordHash(account.id, hash)
                        .call(() -> audit.record(AuditType.PASSWORD_CHANGED, account.login, account.login, origin, null))
                        .call(() -> notify(account, AccountListener.Change.PASSWORD_CHANGED, account.login, origin))
                        .replaceWithVoid())
                        // whoever logged in with the old password earns no trust for its address (after the commit: see Throttle)
                        .call(() -> throttle.forgetKnownAddresses(account.login))));
    }

    /**
     * Admin relief (issue 14): the login's password waits go (its per-address counters and its ceiling; address
     * budgets stay, being shared by every login of an address), audited in the same statement.
     */
    public Uni<Void> clearPasswordThrottle(String login, String actor, RequestOrigin origin) {
        return findByLogin(login).flatMap(account -> {
            if (account == null) {
                return Uni.createFrom().failure(ProblemException.noSuchAccount(login));
            }
            AuditLog.Entry entry = new AuditLog.Entry(AuditType.PASSWORD_THROTTLE_CLEARED, null, actor, account.login, origin,
                    "password waits cleared");
            return throttle.clearPassword(account.login, audit.insert("cleared", entry, null, true))
                    .invoke(n -> audit.counted(entry)).replaceWithVoid();
        });
    }

    /** Admin reset after a lost phone: every factor and the throttle go; the user enrols again at the next login. */
    public Uni<Void> resetSecondFactor(String login, String actor, RequestOrigin origin) {
        return Panache.withTransaction(() -> accounts.findByLogin(login).flatMap(account -> account == null
                ? Uni.createFrom().failure(ProblemException.noSuchAccount(login))
                : factors.removeAll(account.id)
                        .call(() -> audit.record(AuditType.SECOND_FACTOR_RESET, actor, account.login, origin, null))
                        .call(() -> notify(account, AccountListener.Change.SECOND_FACTOR_RESET, actor, origin))
                        .replaceWith(account.id)))
                // a lock is lifted with the reset (after the commit: see Throttle)
                .call(accountId -> throttle.clear(throttles.secondFactor(), accountId.toString()))
                .replaceWithVoid();
    }

    private Uni<Void> notify(Account account, AccountListener.Change change, String actor, RequestOrigin origin) {
        return Multi.createFrom().iterable(listeners).onItem()
                .transformToUniAndConcatenate(l -> l.credentialsChanged(account, change, actor, origin))
                .collect().last().replaceWithVoid();
    }

    public Account newAccount(String login, String hash, Role role) {
        Account account = new Account();
        account.id = UUID.randomUUID();
        account.login = login;
        account.passwordHash = hash;
        account.role = role;
        account.createdAt = clock.instant();
        return account;
    }

    static String validLogin(String login) {
        Require.text("login", login, 1, 128);
        if (login.isBlank() || !login.equals(login.strip())) {
            throw ProblemException.invalidInput("login", "'login' must not be blank or start or end with spaces.");
        }
        return login;
    }

    /** The account's login and role as a query (columns {@code account_login}, {@code account_role}) for a composed statement. */
    public Sql loginAndRole(UUID accountId) {
        return AccountRepository.loginAndRole(accountId);
    }

    /** The account of a login, in the caller's Hibernate session (or a new one); null when there is none. */
    public Uni<Account> findByLogin(String login) {
        return Panache.withSession(() -> accounts.findByLogin(login));
    }

    /** The account of an id, in the caller's Hibernate session (or a new one); null when there is none. */
    public Uni<Account> findById(UUID id) {
        return Panache.withSession(() -> accounts.findById(id));
    }

    public Uni<AccountStatus> statusOf(String login) {
        return Panache.withSession(() -> accounts.findByLogin(login).flatMap(account -> account == null
                ? Uni.createFrom().failure(ProblemException.noSuchAccount(login))
                : withFactors(account)))
                .flatMap(this::withCounters);
    }

    public Uni<AccountStatus> statusOf(UUID accountId) {
        return Panache.withSession(() -> accounts.findById(accountId).flatMap(account -> account == null
                ? Uni.createFrom().failure(ProblemException.notFound("The account no longer exists."))
                : withFactors(account)))
                .flatMap(this::withCounters);
    }

    private record WithFactors(Account account, List<FactorStatus> factors) {
    }

    private Uni<WithFactors> withFactors(Account account) {
        return factors.statusOf(account.id).map(list -> new WithFactors(account, list));
    }

    /** Adds the throttle counters, read once the Hibernate session is closed (see Throttle). */
    private Uni<AccountStatus> withCounters(WithFactors f) {
        Account account = f.account();
        return throttle.state(throttles.secondFactor(), account.id.toString())
                .flatMap(second -> throttle.passwordThrottledUntil(throttles.password(), account.login)
                        .map(pwd -> new AccountStatus(account.id, account.login, account.role.wireName(), account.createdAt,
                                f.factors(), future(second.blockedUntil()), second.locked(), second.failures(), pwd)));
    }

    private Instant future(Instant t) {
        return t != null && t.isAfter(clock.instant()) ? t : null;
    }
}
