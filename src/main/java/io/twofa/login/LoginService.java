package io.twofa.login;

import java.time.Clock;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.twofa.account.Account;
import io.twofa.account.PasswordVerifier;
import io.twofa.audit.AuditLog;
import io.twofa.audit.AuditType;
import io.twofa.error.ProblemException;
import io.twofa.error.Require;
import io.twofa.factor.FactorType;
import io.twofa.factor.SecondFactors;
import io.twofa.policy.SitePolicy;
import io.twofa.policy.SitePolicyService;
import io.twofa.session.LoginTokens;
import io.twofa.throttle.PasswordRefusal;
import io.twofa.token.Clients;
import io.twofa.token.TokenPrincipal;
import io.twofa.token.TokenService;
import io.twofa.web.RequestOrigin;

/** The password step (SPEC §2) and what it leads to under the site policy. */
@ApplicationScoped
public class LoginService {

    private final PasswordVerifier passwords;
    private final SitePolicyService policies;
    private final SecondFactors factors;
    private final TokenService tokens;
    private final LoginTokens loginTokens;
    private final AuditLog audit;
    private final Clock clock;

    LoginService(PasswordVerifier passwords, SitePolicyService policies, SecondFactors factors, TokenService tokens,
            LoginTokens loginTokens, AuditLog audit, Clock clock) {
        this.passwords = passwords;
        this.policies = policies;
        this.factors = factors;
        this.tokens = tokens;
        this.loginTokens = loginTokens;
        this.audit = audit;
        this.clock = clock;
    }

    /** {@code from}: the request's origin; its client is {@code client} (default {@code web}). */
    public Uni<LoginResult> login(String login, String password, String client, RequestOrigin from) {
        return login(login, password, client, from, () -> false);
    }

    /**
     * As above; {@code gone} tells whether the HTTP client has gone away (its password is then not hashed). A throttled
     * attempt is audited in the throttle's own statement, with the client address and the scope that refused it.
     */
    public Uni<LoginResult> login(String login, String password, String client, RequestOrigin from, BooleanSupplier gone) {
        Require.text("login", login, 1, 128);
        Require.text("password", password, 1, 1024);
        String kind = Require.oneOf("client", client == null ? Clients.DEFAULT : client, Clients.ALL);
        RequestOrigin origin = from.withClient(kind);
        Map<PasswordRefusal, AuditLog.Entry> throttled = new EnumMap<>(PasswordRefusal.class);
        for (PasswordRefusal refusal : PasswordRefusal.values()) {
            throttled.put(refusal, new AuditLog.Entry(AuditType.LOGIN_THROTTLED, null, null, login, origin, refusal.detail()));
        }
        PasswordVerifier.Client asking = new PasswordVerifier.Client(origin.sourceIp(), gone,
                refusal -> audit.insert("throttled_" + refusal.ordinal(), throttled.get(refusal), refusal.gate(), true));
        Uni<LoginResult> work = passwords.checkLogin(login, password, asking).flatMap(outcome -> {
            if (outcome instanceof PasswordVerifier.Outcome.Verified v) {
                return Panache.withTransaction(() -> decide(v.account(), kind)
                        .call(() -> audit.record(AuditType.LOGIN_SUCCEEDED, v.account().login, v.account().login, origin, null)));
            }
            if (outcome instanceof PasswordVerifier.Outcome.Throttled t) {
                audit.counted(throttled.get(t.refusal()));
                return Uni.createFrom().failure(ProblemException.throttled(t.retryAfterSeconds()));
            }
            if (outcome instanceof PasswordVerifier.Outcome.Busy b) {
                return Uni.createFrom().failure(PasswordVerifier.busy(b.retryAfterSeconds()));
            }
            if (outcome instanceof PasswordVerifier.Outcome.Abandoned) {
                // nobody reads this answer; nothing was evaluated
                return Uni.createFrom().failure(ProblemException.unavailable("The request was abandoned."));
            }
            return Panache.withTransaction(() -> audit.record(AuditType.LOGIN_FAILED, null, login, origin, null))
                    .chain(() -> Uni.createFrom().<LoginResult>failure(ProblemException.badLogin()));
        });
        // The HTTP layer cancels the answer of a client that hung up; a check that has begun still runs to its end, so
        // an evaluated password is always audited and counted, and no transaction is cut in half. (Whether the client
        // is still there is asked before the check and right before the hash: see PasswordVerifier.)
        Uni<LoginResult> shared = work.memoize().indefinitely();
        shared.subscribe().with(result -> {
        }, failure -> {
        });
        return shared;
    }

    /** What the password step of {@code account} leads to; joins the caller's transaction. */
    Uni<LoginResult> decide(Account account, String client) {
        Instant now = clock.instant();
        if (account.passwordChangeRequired) {
            // an admin's temporary password: nothing else until the user has chosen their own (TemporaryPasswordLogin)
            return Uni.createFrom().item(challenge(account, client, TokenPrincipal.PURPOSE_PASSWORD_CHANGE, now,
                    LoginResult.PASSWORD_CHANGE_REQUIRED, null));
        }
        return policies.current().flatMap(policy -> {
            if (!policy.twoFactorRequired || account.isExemptFromTwoFactor()) {
                return passwordOnly(account, client, policy, now, null);
            }
            return factors.anyPrimaryEnrolled(account.id).flatMap(enrolled -> {
                if (enrolled) {
                    return Uni.createFrom().item(challenge(account, client, TokenPrincipal.PURPOSE_SECOND_FACTOR, now,
                            LoginResult.SECOND_FACTOR_REQUIRED, factors.types().stream().map(FactorType::wireName).toList()));
                }
                if (policy.enforceFrom != null && policy.enforceFrom.isAfter(now)) {
                    // grace period (SPEC §8): still allowed in, and told when enrolment becomes mandatory
                    return passwordOnly(account, client, policy, now, policy.enforceFrom);
                }
                return Uni.createFrom().item(challenge(account, client, TokenPrincipal.PURPOSE_ENROLLMENT, now,
                        LoginResult.ENROLLMENT_REQUIRED, null));
            });
        });
    }

    private LoginResult challenge(Account account, String client, String purpose, Instant now, String status, List<String> methods) {
        TokenService.Issued challenge = tokens.issueChallenge(account.id, account.login, account.role.wireName(), client, purpose, now);
        return new LoginResult.Challenged(status, challenge.token(), challenge.expiresIn(), methods);
    }

    private Uni<LoginResult> passwordOnly(Account account, String client, SitePolicy policy, Instant now, Instant enrollmentDue) {
        return loginTokens.issue(new TokenService.Login(account.id, account.login, account.role.wireName(), client,
                List.of("pwd"), null, now), policy.accessTokenLifetimeSeconds)
                .map(issued -> new LoginResult.Authenticated(issued, enrollmentDue, Map.of()));
    }
}
