package io.twofa.login;

import java.time.Clock;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import io.smallrye.mutiny.Uni;
import io.twofa.audit.AuditLog;
import io.twofa.audit.AuditType;
import io.twofa.factor.EnrollmentCompletion;
import io.twofa.factor.RecoveryCodes;
import io.twofa.policy.SitePolicyService;
import io.twofa.session.LoginTokens;
import io.twofa.session.RevocationReason;
import io.twofa.session.SessionService;
import io.twofa.token.Challenges;
import io.twofa.token.IssuedTokens;
import io.twofa.token.TokenPrincipal;
import io.twofa.token.TokenService;

/**
 * Ends an enrolment, in its transaction: the challenge that authorised it (the login's, or a new phone's enrolment
 * token) is spent (single use), a new set of recovery codes replaces the old, every session of the old factor ends,
 * and in the login flow the login's tokens are issued.
 */
@ApplicationScoped
public class LoginCompletion implements EnrollmentCompletion {

    private final Challenges challenges;
    private final Instance<RecoveryCodes> recovery;
    private final SessionService sessions;
    private final LoginTokens loginTokens;
    private final SitePolicyService policies;
    private final AuditLog audit;
    private final Clock clock;

    LoginCompletion(Challenges challenges, Instance<RecoveryCodes> recovery, SessionService sessions, LoginTokens loginTokens,
            SitePolicyService policies, AuditLog audit, Clock clock) {
        this.challenges = challenges;
        this.recovery = recovery;
        this.sessions = sessions;
        this.loginTokens = loginTokens;
        this.policies = policies;
        this.audit = audit;
        this.clock = clock;
    }

    @Override
    public Uni<Completion> completed(Enrolled e) {
        Instant now = clock.instant();
        // the enrolment's challenge is single use; only an enrolment at login ends with the login's tokens (a new phone's
        // enrolment token proves the password, not a login)
        boolean loginFlow = e.caller().isChallengeFor(TokenPrincipal.PURPOSE_ENROLLMENT);
        Uni<Void> spent = e.caller().isChallenge() ? challenges.spend(e.caller()) : Uni.createFrom().voidItem();
        return spent
                .chain(() -> recovery.isResolvable() ? recovery.get().replaceSet(e.accountId(), now)
                        : Uni.createFrom().item(new RecoveryCodes.IssuedSet(java.util.List.of(), now)))
                .call(() -> audit.record(AuditType.BACKUP_CODES_ISSUED, e.login(), e.login(), e.origin(), "at enrolment"))
                // a new second factor ends every session of the old one (before this login's own session starts)
                .call(() -> sessions.revokeAllOf(e.accountId(), e.login(), RevocationReason.SECOND_FACTOR_CHANGED,
                        e.login(), e.origin()))
                .flatMap(codes -> !loginFlow ? Uni.createFrom().item(new Completion(codes, null))
                        : policies.current().flatMap(policy -> loginTokens.issue(new TokenService.Login(e.accountId(), e.login(),
                                e.role(), e.caller().client(), VerificationService.AMR_MFA, e.factor().wireName(),
                                e.caller().authTime()), policy.accessTokenLifetimeSeconds))
                                .map((IssuedTokens tokens) -> new Completion(codes, tokens)));
    }
}
