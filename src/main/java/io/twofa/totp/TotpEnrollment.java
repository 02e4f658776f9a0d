package io.twofa.totp;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.twofa.account.Account;
import io.twofa.account.AccountService;
import io.twofa.account.PasswordVerifier;
import io.twofa.audit.AuditLog;
import io.twofa.audit.AuditType;
import io.twofa.crypto.Base32Secret;
import io.twofa.crypto.SecretCipher;
import io.twofa.error.ProblemException;
import io.twofa.error.ProblemType;
import io.twofa.error.Require;
import io.twofa.factor.EnrollmentCompletion;
import io.twofa.policy.SitePolicyService;
import io.twofa.throttle.Attempt;
import io.twofa.throttle.Throttle;
import io.twofa.throttle.Throttles;
import io.twofa.token.Challenges;
import io.twofa.token.TokenPrincipal;
import io.twofa.token.TokenService;
import io.twofa.web.RequestOrigin;

/**
 * Enrolment of a TOTP authenticator ("Verify and Save", SPEC §4) and its replacement on a new phone. What follows an
 * activation (recovery codes, sessions, the login's tokens) is the {@link EnrollmentCompletion}'s.
 * <p>
 * The pending key and its confirmation are reachable only with the proof that started the enrolment: the login's
 * enrolment challenge, or for a new phone the enrolment token (a private, single-use challenge) returned when the
 * password was re-entered. A bare access token can neither read nor confirm a pending key. Wrong codes count in the
 * shared second-factor throttle, as at verification.
 */
@ApplicationScoped
public class TotpEnrollment {

    static final Duration PENDING_LIFETIME = Duration.ofMinutes(10);

    /**
     * A new pending secret in the forms an authenticator app takes; shown once, when enrolment starts.
     * {@code enrollmentToken}: for a new phone, the token that alone reads and confirms it (null in the login flow).
     */
    public record Started(String secret, String otpauthUri, byte[] qrPng, long expiresIn, String enrollmentToken) {
    }

    private final AccountService accounts;
    private final AuthenticatorRepository authenticators;
    private final SitePolicyService policies;
    private final PasswordVerifier passwords;
    private final Throttle throttle;
    private final Throttles throttles;
    private final SecretCipher cipher;
    private final EnrollmentCompletion completion;
    private final Challenges challenges;
    private final TokenService tokens;
    private final AuditLog audit;
    private final Clock clock;

    TotpEnrollment(AccountService accounts, AuthenticatorRepository authenticators, SitePolicyService policies,
            PasswordVerifier passwords, Throttle throttle, Throttles throttles, SecretCipher cipher,
            EnrollmentCompletion completion, Challenges challenges, TokenService tokens, AuditLog audit, Clock clock) {
        this.accounts = accounts;
        this.authenticators = authenticators;
        this.policies = policies;
        this.passwords = passwords;
        this.throttle = throttle;
        this.throttles = throttles;
        this.cipher = cipher;
        this.completion = completion;
        this.challenges = challenges;
        this.tokens = tokens;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * Starts (or restarts) enrolment: a new pending secret. With a challenge token only when the login asked for
     * enrolment; with an access token only with the password re-entered (moving to a new phone).
     */
    public Uni<Started> start(TokenPrincipal caller, String password, RequestOrigin origin) {
        return authorise(caller, password, origin).flatMap(account -> {
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
                        // a new phone's key is read and confirmed with its own enrolment token, never the access token
                        TokenService.Issued enrollmentToken = caller.isChallenge() ? null
                                : tokens.issueChallenge(account.id, account.login, account.role.wireName(), caller.client(),
                                        TokenPrincipal.PURPOSE_NEW_PHONE, now);
                        // the challenge (of the login, or the new phone's) may run out before the pending secret does
                        Instant until = caller.isChallenge() ? caller.expiresAt() : now.plusSeconds(enrollmentToken.expiresIn());
                        long expiresIn = Math.max(0, Math.min(PENDING_LIFETIME.toSeconds(), Duration.between(now, until).toSeconds()));
                        return new Started(base32, uri, QrPng.render(uri), expiresIn,
                                enrollmentToken == null ? null : enrollmentToken.token());
                    });
        });
    }

    /** The QR code of the pending secret as PNG (only while enrolment is pending). */
    public Uni<byte[]> qrPng(TokenPrincipal caller) {
        return usable(caller).chain(() -> Panache.withSession(() -> accounts.findById(caller.accountId()).flatMap(account -> account == null
                || !account.isActive()
                ? Uni.createFrom().failure(ProblemException.badLogin())
                : authenticators.findUnexpiredPending(account.id, clock.instant()).flatMap(pending -> pending == null
                        ? Uni.createFrom().failure(ProblemException.notFound("No enrolment in progress, or it expired: start again."))
                        : policies.current().map(policy -> {
                            byte[] secret = cipher.open(pending.sealedSecret(), account.id.toString());
                            return QrPng.render(OtpAuthUri.totp(policy.issuer, account.login, Base32Secret.encode(secret)));
                        })))));
    }

    /**
     * "Verify and Save": the first correct code activates the pending authenticator, replacing any old one in the same
     * transaction, and the completion issues recovery codes (and the login's tokens). A wrong code changes nothing.
     */
    public Uni<EnrollmentCompletion.Completion> confirm(TokenPrincipal caller, String code, RequestOrigin origin) {
        Require.text("code", code, 1, 64);
        Instant now = clock.instant();
        String subject = caller.accountId().toString();
        // counted before the code is evaluated, committed at once (as at verify); no Hibernate session is held meanwhile
        return usable(caller).chain(() -> throttle.reserve(throttles.secondFactor(), subject)).flatMap(attempt -> {
            if (!(attempt instanceof Attempt.Allowed)) {
                return refused(attempt, caller, origin);
            }
            return Panache.withTransaction(() -> accounts.findById(caller.accountId()).flatMap(account -> account == null
                    || !account.isActive()
                    ? Uni.createFrom().failure(ProblemException.badLogin())
                    : authenticators.findUnexpiredPending(account.id, now).flatMap(pending -> {
                        if (pending == null) {
                            return Uni.createFrom().failure(noPending("No enrolment in progress, or it expired: start again."));
                        }
                        byte[] secret = cipher.open(pending.sealedSecret(), account.id.toString());
                        OptionalLong step = Totp.matchingStep(secret, code, now, TotpFactor.WINDOW);
                        java.util.Arrays.fill(secret, (byte) 0);
                        if (step.isEmpty()) {
                            return audit.record(AuditType.ENROLLMENT_FAILED, account.login, account.login, origin, null)
                                    .replaceWith((EnrollmentCompletion.Completion) null);
                        }
                        return activate(account, pending, step.getAsLong(), now, caller, origin);
                    })))
                    .map(completed -> {
                        if (completed == null) {
                            throw ProblemException.badCode();
                        }
                        return completed;
                    })
                    // a new authenticator starts with a clean second-factor counter (after the commit: see Throttle)
                    .call(() -> throttle.clear(throttles.secondFactor(), subject));
        });
    }

    /** A confirmation the throttle refused: audited, not evaluated. */
    private Uni<EnrollmentCompletion.Completion> refused(Attempt refusal, TokenPrincipal caller, RequestOrigin origin) {
        boolean locked = refusal instanceof Attempt.Locked;
        AuditLog.Entry entry = new AuditLog.Entry(locked ? AuditType.SECOND_FACTOR_LOCKED : AuditType.SECOND_FACTOR_THROTTLED,
                TotpFactor.TYPE.wireName(), caller.login(), caller.login(), origin, "at enrolment");
        ProblemException problem = locked ? ProblemException.secondFactorLocked()
                : ProblemException.throttled(((Attempt.Throttled) refusal).retryAfterSeconds());
        return Panache.withTransaction(() -> audit.record(entry)).chain(() -> Uni.createFrom().failure(problem));
    }

    private Uni<EnrollmentCompletion.Completion> activate(Account account, Authenticator pending, long step, Instant now,
            TokenPrincipal caller, RequestOrigin origin) {
        return authenticators.activatePending(account.id, pending.id, step, now).flatMap(updated -> {
            if (updated != 1) {
                return Uni.createFrom().failure(noPending("This enrolment was completed or replaced meanwhile."));
            }
            return audit.record(AuditType.ENROLLED, account.login, account.login, origin,
                    caller.isChallengeFor(TokenPrincipal.PURPOSE_ENROLLMENT) ? "at login" : "new phone")
                    .chain(() -> completion.completed(new EnrollmentCompletion.Enrolled(account.id, account.login,
                            account.role.wireName(), TotpFactor.TYPE, caller, origin)));
        });
    }

    private Uni<Account> authorise(TokenPrincipal caller, String password, RequestOrigin origin) {
        checkMayStart(caller);
        if (caller.isChallenge()) {
            return challenges.requireUnspent(caller).chain(() -> Panache.withSession(() -> accounts.findById(caller.accountId())
                    .flatMap(account -> account == null || !account.isActive()
                    ? Uni.createFrom().failure(ProblemException.badLogin())
                    : authenticators.findActive(account.id).map(active -> {
                        if (active != null) {
                            throw new ProblemException(ProblemType.ALREADY_ENROLLED,
                                    "An authenticator is already active; log in with it.");
                        }
                        return account;
                    }))));
        }
        Require.text("password", password, 1, 1024);
        return passwords.confirmAccount(caller.accountId(), password, origin);
    }

    private static ProblemException noPending(String detail) {
        return new ProblemException(ProblemType.NO_PENDING_ENROLLMENT, detail);
    }

    /** Reading or confirming the pending key: only its enrolment's challenge, and only while it is unspent (single use). */
    private Uni<Void> usable(TokenPrincipal caller) {
        if (!caller.isChallenge()) {
            throw new ProblemException(ProblemType.WRONG_STEP, "Use the enrollment_token returned when this enrolment "
                    + "started: an access token alone can neither read nor confirm a pending key.");
        }
        if (!caller.isChallengeFor(TokenPrincipal.PURPOSE_ENROLLMENT) && !caller.isChallengeFor(TokenPrincipal.PURPOSE_NEW_PHONE)) {
            throw new ProblemException(ProblemType.WRONG_STEP, "Verify with your current second factor first.");
        }
        checkNotExempt(caller);
        return challenges.requireUnspent(caller);
    }

    /** Starting: a login's enrolment challenge, or an access token (with the password, checked by the caller). */
    private static void checkMayStart(TokenPrincipal caller) {
        if (caller.isChallengeFor(TokenPrincipal.PURPOSE_NEW_PHONE)) {
            throw new ProblemException(ProblemType.WRONG_STEP,
                    "An enrolment token shows and confirms its own key only; start again with your password.");
        }
        if (caller.isChallenge() && !caller.isChallengeFor(TokenPrincipal.PURPOSE_ENROLLMENT)) {
            // a password alone must never replace an existing second factor
            throw new ProblemException(ProblemType.WRONG_STEP, "Verify with your current second factor first.");
        }
        checkNotExempt(caller);
    }

    private static void checkNotExempt(TokenPrincipal caller) {
        if ("client".equals(caller.role())) {
            throw new ProblemException(ProblemType.EXEMPT, "Client users do not use a second factor.");
        }
    }
}
