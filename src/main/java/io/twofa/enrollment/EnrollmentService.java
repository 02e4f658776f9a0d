package io.twofa.enrollment;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.twofa.account.Account;
import io.twofa.account.AccountRepository;
import io.twofa.account.PasswordVerifier;
import io.twofa.audit.AuditLog;
import io.twofa.audit.AuditType;
import io.twofa.audit.RequestOrigin;
import io.twofa.backupcodes.BackupCodeRepository;
import io.twofa.backupcodes.BackupCodeService;
import io.twofa.crypto.Base32Secret;
import io.twofa.crypto.SecretCipher;
import io.twofa.crypto.Totp;
import io.twofa.error.ConflictProblem;
import io.twofa.error.ForbiddenProblem;
import io.twofa.error.NotFoundProblem;
import io.twofa.error.Require;
import io.twofa.error.UnauthenticatedException;
import io.twofa.policy.SitePolicyRepository;
import io.twofa.qr.OtpAuthUri;
import io.twofa.qr.QrPng;
import io.twofa.session.LoginTokens;
import io.twofa.session.RefreshFamilyRepository;
import io.twofa.session.SessionService;
import io.twofa.throttle.AttemptThrottle;
import io.twofa.throttle.Throttles;
import io.twofa.token.TokenPrincipal;
import io.twofa.token.TokenService;
import io.twofa.verification.VerificationService;

/**
 * Enrolment of a TOTP authenticator ("Verify and Save", SPEC §4), its replacement on a new phone, and the
 * admin reset.
 */
@ApplicationScoped
public class EnrollmentService {

    static final Duration PENDING_LIFETIME = Duration.ofMinutes(10);

    /** The secret in the forms an authenticator app takes; returned once, when enrolment starts. */
    public record Started(String secret, String otpauthUri, String qrPng, long expiresIn) {
    }

    /** Enrolment done: the first backup codes and, in the login flow, the access token. */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    public record Confirmed(String status, List<String> backupCodes, Instant backupCodesGeneratedAt, String accessToken,
            String tokenType, Long expiresIn, String refreshToken, Long refreshExpiresIn) {
    }

    private final AccountRepository accounts;
    private final AuthenticatorRepository authenticators;
    private final BackupCodeRepository backupCodeRows;
    private final BackupCodeService backupCodes;
    private final SitePolicyRepository policies;
    private final PasswordVerifier passwords;
    private final AttemptThrottle throttle;
    private final SecretCipher cipher;
    private final LoginTokens loginTokens;
    private final SessionService sessions;
    private final AuditLog audit;
    private final Clock clock;

    EnrollmentService(AccountRepository accounts, AuthenticatorRepository authenticators, BackupCodeRepository backupCodeRows,
            BackupCodeService backupCodes, SitePolicyRepository policies, PasswordVerifier passwords, AttemptThrottle throttle,
            SecretCipher cipher, LoginTokens loginTokens, SessionService sessions, AuditLog audit, Clock clock) {
        this.accounts = accounts;
        this.authenticators = authenticators;
        this.backupCodeRows = backupCodeRows;
        this.backupCodes = backupCodes;
        this.policies = policies;
        this.passwords = passwords;
        this.throttle = throttle;
        this.cipher = cipher;
        this.loginTokens = loginTokens;
        this.sessions = sessions;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * Starts (or restarts) enrolment: a new pending secret. With a challenge token only when the login asked for
     * enrolment; with an access token only with the password re-entered (moving to a new phone).
     */
    public Uni<Started> start(TokenPrincipal caller, String password, RequestOrigin origin) {
        return authorise(caller, password).flatMap(account -> {
            byte[] secret = Base32Secret.generate();
            String base32 = Base32Secret.encode(secret);
            SecretCipher.Sealed sealed = cipher.seal(secret, account.id.toString());
            Instant now = clock.instant();
            Authenticator pending = new Authenticator();
            pending.id = UUID.randomUUID();
            pending.accountId = account.id;
            pending.status = Authenticator.PENDING;
            pending.secretKeyId = sealed.keyId();
            pending.secretCiphertext = sealed.data();
            pending.createdAt = now;
            pending.expiresAt = now.plus(PENDING_LIFETIME);
            pending.lastUsedStep = -1;
            return Panache.withTransaction(() -> authenticators.deletePending(account.id)
                    .chain(() -> authenticators.persist(pending))
                    .call(() -> audit.record(AuditType.ENROLLMENT_STARTED, account.login, account.login, origin, null))
                    .chain(() -> policies.current()))
                    .map(policy -> {
                        String uri = OtpAuthUri.totp(policy.issuer, account.login, base32);
                        // in the login flow the challenge token may run out before the pending secret does
                        long expiresIn = caller.isChallenge()
                                ? Math.max(0, Math.min(PENDING_LIFETIME.toSeconds(), Duration.between(now, caller.expiresAt()).toSeconds()))
                                : PENDING_LIFETIME.toSeconds();
                        return new Started(base32, uri, QrPng.dataUri(QrPng.render(uri)), expiresIn);
                    });
        });
    }

    /** The QR code of the pending secret as PNG (only while enrolment is pending). */
    public Uni<byte[]> qrPng(TokenPrincipal caller) {
        checkTokenMayEnrol(caller);
        return Panache.withSession(() -> accounts.findById(caller.accountId()).flatMap(account -> account == null
                ? Uni.createFrom().failure(UnauthenticatedException.badLogin())
                : authenticators.findUnexpiredPending(account.id, clock.instant()).flatMap(pending -> pending == null
                        ? Uni.createFrom().failure(new NotFoundProblem("No enrolment in progress, or it expired: start again."))
                        : policies.current().map(policy -> {
                            byte[] secret = cipher.open(pending.sealedSecret(), account.id.toString());
                            return QrPng.render(OtpAuthUri.totp(policy.issuer, account.login, Base32Secret.encode(secret)));
                        }))));
    }

    /**
     * "Verify and Save": the first correct code activates the pending authenticator, replacing any old one in
     * the same transaction, and issues the first set of backup codes. A wrong code changes nothing.
     */
    public Uni<Confirmed> confirm(TokenPrincipal caller, String code, RequestOrigin origin) {
        checkTokenMayEnrol(caller);
        Require.text("code", code, 1, 64);
        Instant now = clock.instant();
        return Panache.withTransaction(() -> accounts.findById(caller.accountId()).flatMap(account -> account == null
                ? Uni.createFrom().failure(UnauthenticatedException.badLogin())
                : authenticators.findUnexpiredPending(account.id, now).flatMap(pending -> {
                    if (pending == null) {
                        return Uni.createFrom().failure(
                                new ConflictProblem("no-pending-enrollment", "No enrolment in progress, or it expired: start again."));
                    }
                    byte[] secret = cipher.open(pending.sealedSecret(), account.id.toString());
                    OptionalLong step = Totp.matchingStep(secret, code, now, 1);
                    java.util.Arrays.fill(secret, (byte) 0);
                    if (step.isEmpty()) {
                        return audit.record(AuditType.ENROLLMENT_FAILED, account.login, account.login, origin, null)
                                .replaceWith((Confirmed) null);
                    }
                    return activate(account, pending, step.getAsLong(), now, caller, origin);
                })))
                .map(confirmed -> {
                    if (confirmed == null) {
                        throw UnauthenticatedException.badCode();
                    }
                    return confirmed;
                })
                // a new authenticator starts with a clean second-factor counter (after the commit: see AttemptThrottle)
                .call(() -> throttle.reset(Throttles.SECOND_FACTOR, caller.accountId().toString()));
    }

    private Uni<Confirmed> activate(Account account, Authenticator pending, long step, Instant now, TokenPrincipal caller,
            RequestOrigin origin) {
        return authenticators.activatePending(account.id, pending.id, step, now).flatMap(updated -> {
            if (updated != 1) {
                return Uni.createFrom().failure(
                        new ConflictProblem("no-pending-enrollment", "This enrolment was completed or replaced meanwhile."));
            }
            return policies.current().flatMap(policy -> backupCodes.replaceSet(account.id, policy.backupCodeCount, now)
                    .call(() -> audit.record(AuditType.ENROLLED, account.login, account.login, origin,
                            caller.isChallenge() ? "at login" : "new phone"))
                    .call(() -> audit.record(AuditType.BACKUP_CODES_ISSUED, account.login, account.login, origin, "at enrolment"))
                    // a new second factor ends every session of the old one (before this login's own session starts)
                    .call(() -> sessions.revokeAllOf(account, RefreshFamilyRepository.REASON_SECOND_FACTOR_CHANGED,
                            account.login, origin))
                    .flatMap(codes -> {
                        if (!caller.isChallenge()) {
                            return Uni.createFrom().item(new Confirmed("enrolled", codes, now, null, null, null, null, null));
                        }
                        return loginTokens.issue(new TokenService.Login(account.id, account.login, account.role.wireName(),
                                caller.client(), VerificationService.AMR_MFA, "totp", caller.authTime()),
                                policy.accessTokenLifetimeSeconds)
                                .map(issued -> new Confirmed("enrolled", codes, now, issued.accessToken(), "Bearer",
                                        issued.expiresIn(), issued.refreshToken(), issued.refreshExpiresIn()));
                    }));
        });
    }

    /** Admin reset after a lost phone: authenticator, backup codes and throttle go; the user enrols again. */
    public Uni<Void> reset(String login, String actor, RequestOrigin origin) {
        return Panache.withTransaction(() -> accounts.findByLogin(login).flatMap(account -> account == null
                ? Uni.createFrom().failure(NotFoundProblem.account(login))
                : authenticators.deleteAllOf(account.id)
                        .call(() -> backupCodeRows.deleteSetOf(account.id))
                        .call(() -> audit.record(AuditType.SECOND_FACTOR_RESET, actor, account.login, origin, null))
                        .call(() -> sessions.revokeAllOf(account, RefreshFamilyRepository.REASON_SECOND_FACTOR_RESET, actor,
                                origin))
                        .map(ignored -> account.id)))
                // a lock is lifted with the reset (after the commit: see AttemptThrottle)
                .call(accountId -> throttle.reset(Throttles.SECOND_FACTOR, accountId.toString()))
                .replaceWithVoid();
    }

    private Uni<Account> authorise(TokenPrincipal caller, String password) {
        checkTokenMayEnrol(caller);
        if (caller.isChallenge()) {
            return Panache.withSession(() -> accounts.findById(caller.accountId()).flatMap(account -> account == null
                    ? Uni.createFrom().failure(UnauthenticatedException.badLogin())
                    : authenticators.findActive(account.id).map(active -> {
                        if (active != null) {
                            throw new ConflictProblem("already-enrolled", "An authenticator is already active; log in with it.");
                        }
                        return account;
                    })));
        }
        Require.text("password", password, 1, 1024);
        return passwords.confirmAccount(caller.accountId(), password);
    }

    private static void checkTokenMayEnrol(TokenPrincipal caller) {
        if (caller.isChallenge() && !TokenPrincipal.PURPOSE_ENROLLMENT.equals(caller.purpose())) {
            // a password alone must never replace an existing second factor
            throw new ForbiddenProblem("wrong-step", "Verify with your current second factor first.");
        }
        if ("client".equals(caller.role())) {
            throw new ForbiddenProblem("exempt", "Client users do not use a second factor.");
        }
    }
}
