package io.twofa.auth;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.twofa.account.Account;
import io.twofa.account.PasswordVerifier;
import io.twofa.audit.AuditLog;
import io.twofa.audit.AuditType;
import io.twofa.audit.RequestOrigin;
import io.twofa.enrollment.AuthenticatorRepository;
import io.twofa.error.Require;
import io.twofa.error.ThrottledException;
import io.twofa.error.UnauthenticatedException;
import io.twofa.policy.SitePolicy;
import io.twofa.policy.SitePolicyRepository;
import io.twofa.session.LoginTokens;
import io.twofa.token.TokenPrincipal;
import io.twofa.token.TokenService;

/** The password step (SPEC §2) and what it leads to under the site policy. */
@ApplicationScoped
public class LoginService {

    public static final List<String> SECOND_FACTOR_METHODS = List.of("totp", "backup_code");

    /** The body of POST /api/v1/auth/login. */
    public record LoginRequest(String login, String password, String client) {
    }

    private final PasswordVerifier passwords;
    private final SitePolicyRepository policies;
    private final AuthenticatorRepository authenticators;
    private final TokenService tokens;
    private final LoginTokens loginTokens;
    private final AuditLog audit;
    private final Clock clock;

    LoginService(PasswordVerifier passwords, SitePolicyRepository policies, AuthenticatorRepository authenticators,
            TokenService tokens, LoginTokens loginTokens, AuditLog audit, Clock clock) {
        this.passwords = passwords;
        this.policies = policies;
        this.authenticators = authenticators;
        this.tokens = tokens;
        this.loginTokens = loginTokens;
        this.audit = audit;
        this.clock = clock;
    }

    /** {@code from}: the request's origin; its client is taken from the body. */
    public Uni<LoginResponse> login(LoginRequest request, RequestOrigin from) {
        Require.body(request);
        String login = Require.text("login", request.login(), 1, 128);
        String password = Require.text("password", request.password(), 1, 1024);
        String client = Require.oneOf("client", request.client() == null ? Clients.DEFAULT : request.client(), Clients.ALL);
        RequestOrigin origin = from == null ? new RequestOrigin(client, null) : from.withClient(client);
        return passwords.checkLogin(login, password).flatMap(outcome -> {
            if (outcome instanceof PasswordVerifier.Outcome.Verified v) {
                return Panache.withTransaction(() -> decide(v.account(), client)
                        .call(() -> audit.record(AuditType.LOGIN_SUCCEEDED, v.account().login, v.account().login, origin, null)));
            }
            if (outcome instanceof PasswordVerifier.Outcome.Throttled t) {
                return Panache.withTransaction(() -> audit.record(AuditType.LOGIN_THROTTLED, null, login, origin, null))
                        .chain(() -> Uni.createFrom().<LoginResponse>failure(new ThrottledException(t.retryAfterSeconds())));
            }
            return Panache.withTransaction(() -> audit.record(AuditType.LOGIN_FAILED, null, login, origin, null))
                    .chain(() -> Uni.createFrom().<LoginResponse>failure(UnauthenticatedException.badLogin()));
        });
    }

    private Uni<LoginResponse> decide(Account account, String client) {
        Instant now = clock.instant();
        return policies.current().flatMap(policy -> {
            if (!policy.twoFactorRequired || account.isExemptFromTwoFactor()) {
                return passwordOnly(account, client, policy, now, null);
            }
            return authenticators.findActive(account.id).flatMap(active -> {
                if (active != null) {
                    var challenge = tokens.issueChallenge(account.id, account.login, account.role.wireName(), client,
                            TokenPrincipal.PURPOSE_SECOND_FACTOR, now);
                    return Uni.createFrom().item(LoginResponse.challenge(LoginResponse.SECOND_FACTOR_REQUIRED,
                            challenge.token(), challenge.expiresIn(), SECOND_FACTOR_METHODS));
                }
                if (policy.enforceFrom != null && policy.enforceFrom.isAfter(now)) {
                    // grace period (SPEC §8): still allowed in, and told when enrolment becomes mandatory
                    return passwordOnly(account, client, policy, now, policy.enforceFrom);
                }
                var challenge = tokens.issueChallenge(account.id, account.login, account.role.wireName(), client,
                        TokenPrincipal.PURPOSE_ENROLLMENT, now);
                return Uni.createFrom().item(
                        LoginResponse.challenge(LoginResponse.ENROLLMENT_REQUIRED, challenge.token(), challenge.expiresIn(), null));
            });
        });
    }

    private Uni<LoginResponse> passwordOnly(Account account, String client, SitePolicy policy, Instant now, Instant enrollmentDue) {
        return loginTokens.issue(new TokenService.Login(account.id, account.login, account.role.wireName(), client,
                List.of("pwd"), null, now), policy.accessTokenLifetimeSeconds)
                .map(issued -> LoginResponse.authenticated(issued, enrollmentDue));
    }
}
