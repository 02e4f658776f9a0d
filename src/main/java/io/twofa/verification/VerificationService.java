package io.twofa.verification;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
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
import io.twofa.session.LoginTokens;
import io.twofa.throttle.Attempt;
import io.twofa.throttle.AttemptThrottle;
import io.twofa.throttle.Throttles;
import io.twofa.token.TokenPrincipal;
import io.twofa.token.TokenService;

/**
 * The second factor at login (SPEC §5): a TOTP code or a backup code, under one shared throttle.
 * <p>
 * One statement counts the attempt and loads the account ({@link VerificationRepository}); the code is evaluated;
 * one transaction records the outcome (replay guard or spent backup code, audit, refresh family), and a success
 * clears the counter. The attempt is counted before anything is evaluated, so the throttle holds whatever happens.
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

    private final VerificationRepository attempts;
    private final AuthenticatorRepository authenticators;
    private final BackupCodeService backupCodes;
    private final AttemptThrottle throttle;
    private final Throttles throttles;
    private final SecretCipher cipher;
    private final LoginTokens loginTokens;
    private final AuditLog audit;
    private final Clock clock;

    VerificationService(VerificationRepository attempts, AuthenticatorRepository authenticators, BackupCodeService backupCodes,
            AttemptThrottle throttle, Throttles throttles, SecretCipher cipher, LoginTokens loginTokens, AuditLog audit,
            Clock clock) {
        this.attempts = attempts;
        this.authenticators = authenticators;
        this.backupCodes = backupCodes;
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
        String subject = challenge.accountId().toString();
        Instant now = clock.instant();
        return attempts.reserveAndLoad(challenge.accountId(), throttles.secondFactor(), now).flatMap(attempt -> {
            if (attempt == null) {
                return Uni.createFrom().item((Outcome) new Outcome.Failed());
            }
            if (!attempt.counted()) {
                return throttle.refusal(throttles.secondFactor(), subject, now).flatMap(refusal -> refused(refusal, attempt, factor, origin));
            }
            return Panache.withTransaction(() -> request.code() != null
                    ? totp(attempt, challenge, request.code(), now, origin)
                    : backupCode(attempt, challenge, request.backupCode(), origin));
        })
                .call(outcome -> outcome instanceof Outcome.Succeeded
                        ? throttle.reset(Throttles.SECOND_FACTOR, subject)
                        : Uni.createFrom().voidItem())
                .map(this::respond);
    }

    private Uni<Outcome> refused(Attempt refusal, VerificationRepository.Attempt attempt, String factor, RequestOrigin origin) {
        boolean locked = refusal instanceof Attempt.Locked;
        Outcome outcome = locked ? new Outcome.Locked() : new Outcome.Throttled(((Attempt.Throttled) refusal).retryAfterSeconds());
        return Panache.withTransaction(() -> audit.record(locked ? AuditType.SECOND_FACTOR_LOCKED : AuditType.SECOND_FACTOR_THROTTLED,
                attempt.login(), attempt.login(), origin, factor)).replaceWith(outcome);
    }

    /** Constant-time match within the window, then the replay guard: one conditional UPDATE. */
    private Uni<Outcome> totp(VerificationRepository.Attempt attempt, TokenPrincipal challenge, String code, Instant now,
            RequestOrigin origin) {
        OptionalLong step = OptionalLong.empty();
        if (attempt.sealedSecret() != null) {
            byte[] secret = cipher.open(attempt.sealedSecret(), challenge.accountId().toString());
            step = Totp.matchingStep(secret, code, now, WINDOW);
            java.util.Arrays.fill(secret, (byte) 0);
        }
        if (step.isEmpty()) {
            return failed(attempt, "totp", origin);
        }
        return authenticators.acceptStepOnce(attempt.authenticatorId(), step.getAsLong())
                .flatMap(updated -> updated == 1 ? succeeded(attempt, challenge, "totp", null, origin) : failed(attempt, "totp", origin));
    }

    private Uni<Outcome> backupCode(VerificationRepository.Attempt attempt, TokenPrincipal challenge, String code,
            RequestOrigin origin) {
        return backupCodes.consume(challenge.accountId(), code).flatMap(remaining -> remaining.isPresent()
                ? succeeded(attempt, challenge, "backup_code", remaining.get(), origin)
                : failed(attempt, "backup_code", origin));
    }

    private Uni<Outcome> failed(VerificationRepository.Attempt attempt, String factor, RequestOrigin origin) {
        return audit.record(AuditType.SECOND_FACTOR_FAILED, attempt.login(), attempt.login(), origin, factor)
                .replaceWith(new Outcome.Failed());
    }

    private Uni<Outcome> succeeded(VerificationRepository.Attempt attempt, TokenPrincipal challenge, String factor,
            Long backupCodesRemaining, RequestOrigin origin) {
        return audit.record(AuditType.SECOND_FACTOR_SUCCEEDED, attempt.login(), attempt.login(), origin, factor)
                .call(() -> backupCodesRemaining == null ? Uni.createFrom().voidItem()
                        : audit.record(AuditType.BACKUP_CODE_USED, attempt.login(), attempt.login(), origin,
                                backupCodesRemaining + " remaining"))
                .chain(() -> loginTokens.issue(new TokenService.Login(challenge.accountId(), attempt.login(), attempt.role(),
                        challenge.client(), AMR_MFA, factor, challenge.authTime()), attempt.accessTokenLifetimeSeconds()))
                .map(issued -> new Outcome.Succeeded(backupCodesRemaining, issued));
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
