package io.twofa.account;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

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
import io.twofa.token.StepUp;
import io.twofa.token.TokenPrincipal;
import io.twofa.web.RequestOrigin;

/**
 * Creates accounts, changes passwords, roles and states, resets second factors and reports an account's state (SPEC §7).
 * Admin actions that grant power or weaken security pass {@link StepUp} just before they change anything (after the
 * checks that would refuse them anyway), and their audit event records how old the admin's authentication was.
 */
@ApplicationScoped
public class AccountService {

    private final AccountRepository accounts;
    private final SecondFactors factors;
    private final Throttle throttle;
    private final Throttles throttles;
    private final PasswordVerifier passwords;
    private final Instance<AccountListener> listeners;
    private final StepUp stepUp;
    private final AuditLog audit;
    private final Clock clock;

    AccountService(AccountRepository accounts, SecondFactors factors, Throttle throttle, Throttles throttles,
            PasswordVerifier passwords, Instance<AccountListener> listeners, StepUp stepUp, AuditLog audit, Clock clock) {
        this.accounts = accounts;
        this.factors = factors;
        this.throttle = throttle;
        this.throttles = throttles;
        this.passwords = passwords;
        this.listeners = listeners;
        this.stepUp = stepUp;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * Creates an account; an admin account only after step-up. The unique index on the login decides between concurrent
     * requests: one creates it, the others get 409 {@code login-taken}.
     */
    public Uni<Account> create(String login, String password, Role role, TokenPrincipal actor, RequestOrigin origin) {
        String valid = validLogin(login);
        Require.text("password", password, 8, 1024);
        Uni<Long> age = role == Role.ADMIN ? stepUp.require(actor).map(StepUp.Recent::ageSeconds)
                : Uni.createFrom().item(stepUp.ageOf(actor));
        return age.flatMap(actorAge -> passwords.hash(password).flatMap(hash -> Panache.withTransaction(() -> {
            Account account = newAccount(valid, hash, role);
            return accounts.insertIfLoginFree(account).flatMap(inserted -> inserted != 1
                    ? Uni.createFrom().<Account>failure(loginTaken(valid))
                    : audit.record(AuditType.ACCOUNT_CREATED, actor.login(), valid, origin, "role " + role.wireName(), actorAge)
                            .replaceWith(account));
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
        return changePassword(accountId, current, next, origin, account -> Uni.createFrom().voidItem());
    }

    /**
     * As {@link #changePassword(UUID, String, String, RequestOrigin)}, and then {@code alsoInTransaction} with the account
     * (its temporary password gone) in the same transaction: a login that continues after a temporary password.
     */
    public <T> Uni<T> changePassword(UUID accountId, String current, String next, RequestOrigin origin,
            Function<Account, Uni<T>> alsoInTransaction) {
        Require.text("current_password", current, 1, 1024);
        Require.text("new_password", next, 8, 1024);
        if (next.equals(current)) {
            throw ProblemException.invalidInput("new_password", "'new_password' must differ from the current password.");
        }
        return passwords.confirmAccount(accountId, current, origin).flatMap(account -> passwords.hash(next)
                .flatMap(hash -> Panache.withTransaction(() -> accounts.updatePasswordHash(account.id, hash)
                        .call(() -> audit.record(AuditType.PASSWORD_CHANGED, account.login, account.login, origin, null))
                        .call(() -> notify(account, AccountListener.Change.PASSWORD_CHANGED, account.login, origin))
                        .chain(() -> {
                            account.passwordChangeRequired = false;
                            return alsoInTransaction.apply(account);
                        }))
                        // whoever logged in with the old password earns no trust for its address (after the commit: see Throttle)
                        .call(() -> throttle.forgetKnownAddresses(account.login))));
    }

    /**
     * Admin relief (issue 14): the login's password waits go (its per-address counters and its ceiling; address
     * budgets stay, being shared by every login of an address), audited in the same statement; step-up, as it weakens
     * a defence.
     */
    public Uni<Void> clearPasswordThrottle(String login, TokenPrincipal actor, RequestOrigin origin) {
        record Allowed(Account account, StepUp.Recent recent) {
        }
        return Panache.withSession(() -> existing(login).flatMap(account -> stepUp.require(actor)
                .map(recent -> new Allowed(account, recent))))
                // the counters change after the session is closed (see Throttle)
                .flatMap(allowed -> {
                    AuditLog.Entry entry = new AuditLog.Entry(AuditType.PASSWORD_THROTTLE_CLEARED, null, actor.login(),
                            allowed.account().login, origin, "password waits cleared", allowed.recent().ageSeconds());
                    return throttle.clearPassword(allowed.account().login, audit.insert("cleared", entry, null, true))
                            .invoke(n -> audit.counted(entry)).replaceWithVoid();
                });
    }

    /**
     * An admin sets a temporary password (step-up): the user must choose a new one at the next login, and every session
     * of the account ends.
     */
    public Uni<Void> setTemporaryPassword(String login, String password, TokenPrincipal actor, RequestOrigin origin) {
        Require.text("password", password, 8, 1024);
        return passwords.hash(password).flatMap(hash -> Panache.withTransaction(() -> existing(login)
                .flatMap(account -> stepUp.require(actor).flatMap(recent -> accounts.setTemporaryPassword(account.id, hash)
                        .call(() -> audit.record(AuditType.PASSWORD_RESET, actor.login(), account.login, origin,
                                "temporary password, to be changed at the next login", recent.ageSeconds()))
                        .call(() -> notify(account, AccountListener.Change.PASSWORD_CHANGED, actor.login(), origin))))
                .replaceWithVoid()));
    }

    /**
     * Changes an account's role and/or state (step-up). Disabling ends every session of the account at once. The last
     * active admin can be neither demoted nor disabled (409 {@code last-admin}).
     */
    public Uni<Account> update(String login, Role newRole, AccountState newStatus, TokenPrincipal actor, RequestOrigin origin) {
        if (newRole == null && newStatus == null) {
            throw ProblemException.invalidInput(null, "Send 'role', 'status' or both.");
        }
        return Panache.withTransaction(() -> existing(login).flatMap(account -> {
            Role role = newRole == null ? account.role : newRole;
            AccountState status = newStatus == null ? account.status : newStatus;
            boolean losesAdmin = account.role == Role.ADMIN && account.isActive()
                    && (role != Role.ADMIN || status != AccountState.ACTIVE);
            Uni<Void> othersRemain = !losesAdmin ? Uni.createFrom().voidItem()
                    : accounts.lockActiveAdmins().invoke(admins -> {
                        if (admins.stream().noneMatch(a -> !a.id.equals(account.id))) {
                            throw new ProblemException(ProblemType.LAST_ADMIN, "'" + account.login
                                    + "' is the last active admin: make another account admin first.");
                        }
                    }).replaceWithVoid();
            return othersRemain.chain(() -> stepUp.require(actor)).flatMap(recent -> changeRoleAndStatus(account, role,
                    status, actor.login(), recent.ageSeconds(), origin));
        }));
    }

    private Uni<Account> changeRoleAndStatus(Account account, Role role, AccountState status, String actor, long actorAge,
            RequestOrigin origin) {
        Role oldRole = account.role;
        AccountState oldStatus = account.status;
        // the managed entity is written at commit
        account.role = role;
        account.status = status;
        Uni<Void> done = Uni.createFrom().voidItem();
        if (role != oldRole) {
            done = done.call(() -> audit.record(AuditType.ROLE_CHANGED, actor, account.login, origin,
                    oldRole.wireName() + " -> " + role.wireName(), actorAge));
        }
        if (status != oldStatus) {
            boolean disabled = status == AccountState.DISABLED;
            done = done.call(() -> audit.record(disabled ? AuditType.ACCOUNT_DISABLED : AuditType.ACCOUNT_ENABLED, actor,
                    account.login, origin, null, actorAge))
                    .call(() -> disabled ? notify(account, AccountListener.Change.ACCOUNT_DISABLED, actor, origin)
                            : Uni.createFrom().voidItem());
        }
        return done.replaceWith(account);
    }

    /** A page of accounts (admins), with whether each has set up a second factor. */
    public Uni<List<AccountSummary>> list(AccountFilter filter) {
        return accounts.list(filter, factors.enrolledAccounts());
    }

    /** Admin reset after a lost phone (step-up): every factor and the throttle go; the user enrols again at the next login. */
    public Uni<Void> resetSecondFactor(String login, TokenPrincipal actor, RequestOrigin origin) {
        return Panache.withTransaction(() -> existing(login).flatMap(account -> stepUp.require(actor)
                .flatMap(recent -> factors.removeAll(account.id)
                        .call(() -> audit.record(AuditType.SECOND_FACTOR_RESET, actor.login(), account.login, origin, null,
                                recent.ageSeconds()))
                        .call(() -> notify(account, AccountListener.Change.SECOND_FACTOR_RESET, actor.login(), origin))
                        .replaceWith(account.id))))
                // a lock is lifted with the reset (after the commit: see Throttle)
                .call(accountId -> throttle.clear(throttles.secondFactor(), accountId.toString()))
                .replaceWithVoid();
    }

    /** The account of a login in the caller's session, or 404. */
    private Uni<Account> existing(String login) {
        return accounts.findByLogin(login).onItem().ifNull().failWith(() -> ProblemException.noSuchAccount(login));
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
                                f.factors(), future(second.blockedUntil()), second.locked(), second.failures(),
                                pwd, account.status.wireName(), account.passwordChangeRequired)));
    }

    private Instant future(Instant t) {
        return t != null && t.isAfter(clock.instant()) ? t : null;
    }
}
