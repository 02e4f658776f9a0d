package io.twofa.login;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.twofa.account.PasswordVerifier;
import io.twofa.audit.AuditLog;
import io.twofa.audit.AuditType;
import io.twofa.error.ProblemException;
import io.twofa.error.Require;
import io.twofa.factor.SecondFactor;
import io.twofa.policy.SitePolicyService;
import io.twofa.token.IssuedTokens;
import io.twofa.token.PasswordOnlyLogin;
import io.twofa.token.TokenPrincipal;
import io.twofa.token.TokenService;
import io.twofa.web.RequestOrigin;

/**
 * POST /api/v1/auth/step-up (SPEC §7): a signed-in user proves the password and a second factor again and gets a new
 * access token with a new {@code auth_time}, for the sensitive actions {@link io.twofa.token.StepUp} guards. The same
 * throttles as at login apply: the password's, then the shared second-factor one (through the factor SPI). The password
 * alone is enough only where it is a complete login ({@link PasswordOnlyLogin}). No refresh token: a step-up raises
 * the assurance of the next minutes, it does not start a session.
 */
@ApplicationScoped
public class StepUpService {

    private final PasswordVerifier passwords;
    private final PasswordOnlyLogin passwordOnly;
    private final VerificationService verification;
    private final SitePolicyService policies;
    private final TokenService tokens;
    private final AuditLog audit;
    private final Clock clock;

    StepUpService(PasswordVerifier passwords, PasswordOnlyLogin passwordOnly, VerificationService verification,
            SitePolicyService policies, TokenService tokens, AuditLog audit, Clock clock) {
        this.passwords = passwords;
        this.passwordOnly = passwordOnly;
        this.verification = verification;
        this.policies = policies;
        this.tokens = tokens;
        this.audit = audit;
        this.clock = clock;
    }

    /** {@code factorInput}: the body's factor members (empty for the password alone). */
    public Uni<LoginResult.Authenticated> stepUp(TokenPrincipal caller, String password, Map<String, String> factorInput,
            RequestOrigin origin) {
        Require.text("password", password, 1, 1024);
        SecondFactor factor = factorInput.isEmpty() ? null : verification.factorOf(factorInput);
        Uni<Boolean> passwordIsEnough = factor != null ? Uni.createFrom().item(false)
                : passwordOnly.isComplete(caller.accountId());
        return passwordIsEnough.flatMap(enough -> {
            if (factor == null && !enough) {
                // refused before the password is tried, so it costs no attempt
                return Uni.createFrom().failure(ProblemException.invalidInput("code",
                        "This account must confirm a second factor too: send 'code' or 'backup_code' with the password."));
            }
            return passwords.confirmAccount(caller.accountId(), password, origin).flatMap(account -> {
                Instant now = clock.instant();
                if (factor == null) {
                    return policies.current().flatMap(policy -> issue(caller, account.login, account.role.wireName(),
                            List.of("pwd"), null, policy.accessTokenLifetimeSeconds, Map.of(), now, origin));
                }
                return verification.prove(caller.accountId(), factor, factorInput.get(factor.inputField()), origin)
                        .flatMap(proved -> issue(caller, proved.login(), proved.role(), VerificationService.AMR_MFA,
                                factor.type().wireName(), proved.accessLifetime(), proved.answer(), now, origin));
            });
        });
    }

    private Uni<LoginResult.Authenticated> issue(TokenPrincipal caller, String login, String role, List<String> amr,
            String factor, int lifetime, Map<String, Object> extras, Instant now, RequestOrigin origin) {
        TokenService.Issued access = tokens.issueAccess(new TokenService.Login(caller.accountId(), login, role,
                caller.client(), amr, factor, now), lifetime);
        return Panache.withTransaction(() -> audit.record(AuditType.STEP_UP, login, login, origin,
                factor == null ? "password" : "password and " + factor))
                .replaceWith(new LoginResult.Authenticated(new IssuedTokens(access.token(), access.expiresIn(), null, null),
                        null, extras));
    }
}
