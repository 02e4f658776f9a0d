package io.twofa.account;

import java.time.Clock;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.twofa.audit.AuditLog;
import io.twofa.audit.AuditType;
import io.twofa.audit.RequestOrigin;
import io.twofa.backupcodes.BackupCodeRepository;
import io.twofa.enrollment.Authenticator;
import io.twofa.enrollment.AuthenticatorRepository;
import io.twofa.error.ConflictProblem;
import io.twofa.error.InvalidInputException;
import io.twofa.error.NotFoundProblem;
import io.twofa.error.Require;
import io.twofa.session.RefreshFamilyRepository;
import io.twofa.session.SessionService;
import io.twofa.throttle.AttemptThrottle;
import io.twofa.throttle.Throttles;

/** Creates accounts and reports their second-factor status (SPEC §7). */
@ApplicationScoped
public class AccountService {

    static final Set<String> ROLES = Set.of("admin", "user", "client");

    private final AccountRepository accounts;
    private final AuthenticatorRepository authenticators;
    private final BackupCodeRepository backupCodes;
    private final AttemptThrottle throttle;
    private final PasswordVerifier passwords;
    private final SessionService sessions;
    private final AuditLog audit;
    private final Clock clock;

    AccountService(AccountRepository accounts, AuthenticatorRepository authenticators, BackupCodeRepository backupCodes,
            AttemptThrottle throttle, PasswordVerifier passwords, SessionService sessions, AuditLog audit, Clock clock) {
        this.accounts = accounts;
        this.authenticators = authenticators;
        this.backupCodes = backupCodes;
        this.throttle = throttle;
        this.passwords = passwords;
        this.sessions = sessions;
        this.audit = audit;
        this.clock = clock;
    }

    /** A new account request as the API receives it. */
    public record NewAccount(String login, String password, String role) {
    }

    public Uni<Account> create(NewAccount request, String actor, RequestOrigin origin) {
        Require.body(request);
        String login = validLogin(request.login());
        String password = Require.text("password", request.password(), 8, 1024);
        Role role = Role.fromWire(Require.oneOf("role", request.role(), ROLES));
        return passwords.hash(password).flatMap(hash -> Panache.withTransaction(() -> accounts.findByLogin(login)
                .flatMap(existing -> {
                    if (existing != null) {
                        return Uni.createFrom().failure(new ConflictProblem("login-taken", "The login '" + login + "' is taken."));
                    }
                    Account account = newAccount(login, hash, role);
                    return accounts.persist(account)
                            .call(() -> audit.record(AuditType.ACCOUNT_CREATED, actor, login, origin, "role " + role.wireName()));
                })));
    }

    /** The body of PUT /api/v1/me/password. */
    public record PasswordChange(String currentPassword, String newPassword) {
    }

    /**
     * Changes the caller's password. The current one is checked under the password throttle (a wrong one counts
     * as a failed attempt); the new hash and the revocation of every refresh-token session share one transaction.
     */
    public Uni<Void> changePassword(UUID accountId, PasswordChange request, RequestOrigin origin) {
        Require.body(request);
        String current = Require.text("current_password", request.currentPassword(), 1, 1024);
        String next = Require.text("new_password", request.newPassword(), 8, 1024);
        return passwords.confirmAccount(accountId, current).flatMap(account -> passwords.hash(next).flatMap(hash -> Panache.withTransaction(() -> accounts
                    .update("passwordHash = ?1 where id = ?2", hash, account.id)
                    .call(() -> audit.record(AuditType.PASSWORD_CHANGED, account.login, account.login, origin, null))
                    .call(() -> sessions.revokeAllOf(account, RefreshFamilyRepository.REASON_PASSWORD_CHANGED, account.login,
                            origin))
                    .replaceWithVoid())));
    }

    Account newAccount(String login, String hash, Role role) {
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
            throw new InvalidInputException("login", "'login' must not be blank or start or end with spaces.");
        }
        return login;
    }

    public Uni<AccountStatus> statusOf(String login) {
        return Panache.withSession(() -> accounts.findByLogin(login).flatMap(account -> account == null
                ? Uni.createFrom().failure(NotFoundProblem.account(login))
                : factorsOf(account)))
                .flatMap(this::withCounters);
    }

    public Uni<AccountStatus> statusOf(UUID accountId) {
        return Panache.withSession(() -> accounts.findById(accountId).flatMap(account -> account == null
                ? Uni.createFrom().failure(new NotFoundProblem("The account no longer exists."))
                : factorsOf(account)))
                .flatMap(this::withCounters);
    }

    private record Factors(Account account, Authenticator active, long backupCodesRemaining) {
    }

    private Uni<Factors> factorsOf(Account account) {
        return authenticators.findActive(account.id)
                .flatMap(active -> backupCodes.countUnused(account.id).map(remaining -> new Factors(account, active, remaining)));
    }

    /** Adds the throttle counters, read once the Hibernate session is closed (see AttemptThrottle). */
    private Uni<AccountStatus> withCounters(Factors f) {
        Account account = f.account();
        return throttle.state(Throttles.SECOND_FACTOR, account.id.toString())
                .flatMap(second -> throttle.state(Throttles.PASSWORD, AccountRepository.normalize(account.login))
                        .map(pwd -> new AccountStatus(account.id, account.login, account.role.wireName(), account.createdAt,
                                f.active() != null, f.active() == null ? null : f.active().activatedAt, f.backupCodesRemaining(),
                                future(second.blockedUntil()), second.locked(), second.failures(),
                                future(pwd.blockedUntil()))));
    }

    private java.time.Instant future(java.time.Instant t) {
        return t != null && t.isAfter(clock.instant()) ? t : null;
    }
}
