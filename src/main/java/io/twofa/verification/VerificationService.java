package io.twofa.verification;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.twofa.account.Account;
import io.twofa.account.AccountRepository;
import io.twofa.audit.AuditLog;
import io.twofa.audit.AuditType;
import io.twofa.audit.RequestOrigin;
import io.twofa.auth.LoginResponse;
import io.twofa.backupcodes.BackupCodeService;
import io.twofa.crypto.SecretCipher;
import io.twofa.crypto.Totp;
import io.twofa.enrollment.AuthenticatorRepository;
import io.twofa.error.ForbiddenProblem;
import io.twofa.error.InvalidInputException;
import io.twofa.error.ThrottledException;
import io.twofa.error.UnauthenticatedException;
import io.twofa.policy.SitePolicyRepository;
import io.twofa.session.LoginTokens;
import io.twofa.throttle.Attempt;
import io.twofa.throttle.AttemptThrottle;
import io.twofa.throttle.Throttles;
import io.twofa.token.TokenPrincipal;
import io.twofa.token.TokenService;

/**
 * The second factor at login (SPEC §5): a TOTP code or a backup code, under one shared throttle.
 * Everything happens in one transaction: reserve the attempt, evaluate, record the outcome, audit.
 */
@ApplicationScoped
public class VerificationService {

    /** Accept the codes of steps T-1, T and T+1. */
    static final int WINDOW = 1;
    static final int REGENERATE_AT_OR_BELOW = 3;
    public static final List<String> AMR_MFA = List.of("pwd", "otp", "mfa");

    /** The body of POST /api/v1/auth/verify: exactly one of the two. */
    public record VerifyRequest(String code, String backupCode) {
    }

    private sealed interface Outcome {
        record Succeeded(Long backupCodesRemaining, LoginTokens.Issued issued) implements Outcome {
        }

        record Failed() implements Outcome {
        }

        record Throttled(long retryAfter) implements Outcome {
        }

        record Locked() implements Outcome {
        }
    }

    private final AccountRepository accounts;
    private final AuthenticatorRepository authenticators;
    private final BackupCodeService backupCodes;
    private final SitePolicyRepository policies;
    private final AttemptThrottle throttle;
    private final Throttles throttles;
    private final SecretCipher cipher;
    private final LoginTokens loginTokens;
    private final AuditLog audit;
    private final Clock clock;

    VerificationService(AccountRepository accounts, AuthenticatorRepository authenticators, BackupCodeService backupCodes,
            SitePolicyRepository policies, AttemptThrottle throttle, Throttles throttles, SecretCipher cipher,
            LoginTokens loginTokens, AuditLog audit, Clock clock) {
        this.accounts = accounts;
        this.authenticators = authenticators;
        this.backupCodes = backupCodes;
        this.policies = policies;
        this.throttle = throttle;
        this.throttles = throttles;
        this.cipher = cipher;
        this.loginTokens = loginTokens;
        this.audit = audit;
        this.clock = clock;
    }

    public Uni<LoginResponse> verify(TokenPrincipal challenge, VerifyRequest request, RequestOrigin origin) {
        if (!TokenPrincipal.PURPOSE_SECOND_FACTOR.equals(challenge.purpose())) {
            throw new ForbiddenProblem("wrong-step", "This login must enrol an authenticator first.");
        }
        if (request == null || (request.code() == null) == (request.backupCode() == null)) {
            throw new InvalidInputException(null, "Send exactly one of 'code' or 'backup_code'.");
        }
        String factor = request.code() != null ? "totp" : "backup_code";
        return Panache.withTransaction(() -> accounts.findById(challenge.accountId()).flatMap(account -> account == null
                ? Uni.createFrom().item((Outcome) new Outcome.Failed())
                : throttle.reserve(throttles.secondFactor(), account.id.toString()).flatMap(attempt -> {
                    if (attempt instanceof Attempt.Throttled t) {
                        return audit.record(AuditType.SECOND_FACTOR_THROTTLED, account.login, account.login, origin, factor)
                                .replaceWith(new Outcome.Throttled(t.retryAfterSeconds()));
                    }
                    if (attempt instanceof Attempt.Locked) {
                        return audit.record(AuditType.SECOND_FACTOR_LOCKED, account.login, account.login, origin, factor)
                                .replaceWith(new Outcome.Locked());
                    }
                    return evaluate(account, request, factor, origin, challenge);
                })))
                .map(this::respond);
    }

    private Uni<Outcome> evaluate(Account account, VerifyRequest request, String factor, RequestOrigin origin,
            TokenPrincipal challenge) {
        Uni<Optional<Long>> check = request.code() != null
                ? checkTotp(account, request.code()).map(ok -> ok ? Optional.of(-1L) : Optional.<Long>empty())
                : backupCodes.consume(account.id, request.backupCode());
        return check.flatMap(result -> {
            if (result.isEmpty()) {
                return audit.record(AuditType.SECOND_FACTOR_FAILED, account.login, account.login, origin, factor)
                        .replaceWith(new Outcome.Failed());
            }
            Long remaining = request.code() != null ? null : result.get();
            Uni<Void> extra = remaining == null ? Uni.createFrom().voidItem()
                    : audit.record(AuditType.BACKUP_CODE_USED, account.login, account.login, origin, remaining + " remaining");
            return throttle.reset(Throttles.SECOND_FACTOR, account.id.toString())
                    .call(() -> audit.record(AuditType.SECOND_FACTOR_SUCCEEDED, account.login, account.login, origin, factor))
                    .call(() -> extra)
                    .chain(() -> policies.current())
                    .chain(policy -> loginTokens.issue(new TokenService.Login(account.id, account.login,
                            account.role.wireName(), challenge.client(), AMR_MFA, factor, challenge.authTime()),
                            policy.accessTokenLifetimeSeconds))
                    .map(issued -> new Outcome.Succeeded(remaining, issued));
        });
    }

    /** Constant-time match within the window, then the replay guard: one conditional UPDATE. */
    private Uni<Boolean> checkTotp(Account account, String code) {
        Instant now = clock.instant();
        return authenticators.findActive(account.id).flatMap(active -> {
            if (active == null) {
                return Uni.createFrom().item(false);
            }
            byte[] secret = cipher.open(active.sealedSecret(), account.id.toString());
            OptionalLong step = Totp.matchingStep(secret, code, now, WINDOW);
            java.util.Arrays.fill(secret, (byte) 0);
            if (step.isEmpty()) {
                return Uni.createFrom().item(false);
            }
            return authenticators.acceptStepOnce(active.id, step.getAsLong()).map(updated -> updated == 1);
        });
    }

    private LoginResponse respond(Outcome outcome) {
        if (outcome instanceof Outcome.Throttled t) {
            throw new ThrottledException(t.retryAfter());
        }
        if (outcome instanceof Outcome.Locked) {
            throw new ForbiddenProblem("second-factor-locked",
                    "Too many failed codes: the second factor is locked. Ask an administrator to reset it.");
        }
        if (!(outcome instanceof Outcome.Succeeded s)) {
            throw UnauthenticatedException.badCode();
        }
        LoginResponse response = LoginResponse.authenticated(s.issued(), null);
        return s.backupCodesRemaining() == null ? response
                : response.withBackupCodesRemaining(s.backupCodesRemaining(), s.backupCodesRemaining() <= REGENERATE_AT_OR_BELOW);
    }
}
