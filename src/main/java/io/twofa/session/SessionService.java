package io.twofa.session;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.twofa.account.Account;
import io.twofa.account.AccountListener;
import io.twofa.account.AccountService;
import io.twofa.audit.AuditLog;
import io.twofa.audit.AuditType;
import io.twofa.error.ProblemException;
import io.twofa.error.ProblemType;
import io.twofa.error.Require;
import io.twofa.policy.PolicyListener;
import io.twofa.policy.SitePolicy;
import io.twofa.policy.SitePolicyService;
import io.twofa.token.IssuedTokens;
import io.twofa.token.TokenService;
import io.twofa.web.RequestOrigin;

/**
 * Desktop sessions (SPEC §8): refresh with rotation and reuse detection, logout, listing and revocation.
 *
 * <p>Reuse: a refresh token is spent by one conditional UPDATE ({@link RefreshTokenRepository#rotateOnce}). A
 * token presented after it was spent revokes its whole family, since one of the two presenters must be a thief
 * and the service cannot tell which. A request that <em>loses</em> a concurrent rotation is treated the same
 * way (the secure choice): two parties holding one token at once is exactly what theft looks like, so the family
 * is revoked and the winner's new refresh token stops working too. Honest clients never send one token twice
 * in parallel; one that does is logged out and logs in again.
 *
 * <p>Revocations caused by other changes (second factor reset or replaced, password changed, two-factor
 * switched on) are made by {@link #revokeAllOf} and {@link #revokeEveryone} inside the caller's transaction.
 */
@ApplicationScoped
public class SessionService implements AccountListener, PolicyListener {

    /** A refresh's result: the new tokens, and when enrolment becomes due for a session still in its grace period. */
    public record Refreshed(IssuedTokens tokens, Instant enrollmentDue) {
    }

    private sealed interface Outcome {
        record Done(Refreshed refreshed) implements Outcome {
        }

        record Rejected() implements Outcome {
        }
    }

    private static final Outcome REJECTED = new Outcome.Rejected();
    private static final int MAX_INPUT = 8192;

    private final RefreshFamilyRepository families;
    private final RefreshTokenRepository refreshTokens;
    private final AccountService accounts;
    private final SitePolicyService policies;
    private final LoginTokens loginTokens;
    private final TokenService tokens;
    private final AuditLog audit;
    private final Clock clock;

    SessionService(RefreshFamilyRepository families, RefreshTokenRepository refreshTokens, AccountService accounts,
            SitePolicyService policies, LoginTokens loginTokens, TokenService tokens, AuditLog audit, Clock clock) {
        this.families = families;
        this.refreshTokens = refreshTokens;
        this.accounts = accounts;
        this.policies = policies;
        this.loginTokens = loginTokens;
        this.tokens = tokens;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * Exchanges a refresh token for a new one and a new access token stating what the original login proved.
     * Every failure is the same 401; a reuse revokes the family, and that revocation is committed before the
     * 401 is answered.
     */
    public Uni<Refreshed> refresh(String refreshToken, String sourceIp) {
        // any length up to the body limit: a value that is not a token's shape is an unknown token (401), not bad input
        String value = Require.text("refresh_token", refreshToken, 1, MAX_INPUT);
        var hash = RefreshTokenValue.hashOf(value);
        if (hash.isEmpty()) {
            return Uni.createFrom().failure(invalidRefreshToken());
        }
        Instant now = clock.instant();
        return Panache.withTransaction(() -> refreshTokens.findByHash(hash.get()).flatMap(token -> token == null
                ? Uni.createFrom().item(REJECTED)
                : families.findById(token.familyId).flatMap(family -> family == null
                        ? Uni.createFrom().item(REJECTED)
                        // a disabled account's sessions are revoked with the change; this also covers one begun meanwhile
                        : accounts.findById(family.accountId).flatMap(account -> account == null || !account.isActive()
                                ? Uni.createFrom().item(REJECTED)
                                : refresh(token, family, account, now, new RequestOrigin(family.client, sourceIp, null))))))
                .map(outcome -> {
                    if (outcome instanceof Outcome.Done done) {
                        return done.refreshed();
                    }
                    throw invalidRefreshToken();
                });
    }

    private Uni<Outcome> refresh(RefreshToken token, RefreshFamily family, Account account, Instant now, RequestOrigin origin) {
        if (family.revokedAt != null) {
            return Uni.createFrom().item(REJECTED);
        }
        if (token.rotatedAt != null) {
            return reused(family, account, now, origin, "rotated token presented again");
        }
        if (!token.expiresAt.isAfter(now) || !family.absoluteExpiry.isAfter(now)) {
            return Uni.createFrom().item(REJECTED);
        }
        return policies.current().flatMap(policy -> {
            boolean secondFactorDue = !family.provedSecondFactor() && !account.isExemptFromTwoFactor() && policy.twoFactorRequired;
            boolean inGrace = policy.enforceFrom != null && policy.enforceFrom.isAfter(now);
            if (secondFactorDue && !inGrace) {
                // a password-only session from before enforcement began: no more access tokens without a second factor
                return revoke(family, account, RefreshFamilyRepository.REASON_TWO_FACTOR_REQUIRED, account.login, now, origin)
                        .replaceWith(REJECTED);
            }
            return refreshTokens.rotateOnce(token.id, now).flatMap(won -> won != 1
                    ? reused(family, account, now, origin, "lost a concurrent rotation")
                    : rotate(family, account, policy, now, origin, secondFactorDue ? policy.enforceFrom : null));
        });
    }

    private Uni<Outcome> rotate(RefreshFamily family, Account account, SitePolicy policy, Instant now, RequestOrigin origin,
            Instant enrollmentDue) {
        return loginTokens.addToken(family, now)
                .call(() -> families.touch(family.id, now))
                .call(() -> audit.record(AuditType.SESSION_REFRESHED, account.login, account.login, origin,
                        "session " + family.id))
                .map(refresh -> {
                    var access = tokens.issueAccess(new TokenService.Login(account.id, account.login, account.role.wireName(),
                            family.client, family.amrList(), family.factor, family.authTime), policy.accessTokenLifetimeSeconds);
                    return new Outcome.Done(new Refreshed(
                            new IssuedTokens(access.token(), access.expiresIn(), refresh.value(), refresh.expiresIn()),
                            enrollmentDue));
                });
    }

    /** Theft detection: the whole family goes, including the newest token the legitimate holder has. */
    private Uni<Outcome> reused(RefreshFamily family, Account account, Instant now, RequestOrigin origin, String how) {
        return families.revoke(family.id, RefreshFamilyRepository.REASON_REUSE, now)
                .call(revoked -> audit.record(AuditType.REFRESH_TOKEN_REUSED, null, account.login, origin,
                        how + "; session " + family.id + (revoked == 1 ? " revoked" : " already revoked")))
                .replaceWith(REJECTED);
    }

    /** POST /api/v1/auth/logout: revokes the token's family. Unknown or malformed tokens get the same answer. */
    public Uni<Void> logout(String refreshToken, String sourceIp) {
        String value = Require.text("refresh_token", refreshToken, 1, MAX_INPUT);
        var hash = RefreshTokenValue.hashOf(value);
        if (hash.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Instant now = clock.instant();
        return Panache.withTransaction(() -> refreshTokens.findByHash(hash.get()).flatMap(token -> token == null
                ? Uni.createFrom().voidItem()
                : families.findById(token.familyId).flatMap(family -> family == null || family.revokedAt != null
                        ? Uni.createFrom().voidItem()
                        : accounts.findById(family.accountId).flatMap(account -> revoke(family, account,
                                RefreshFamilyRepository.REASON_LOGOUT, account.login, now,
                                new RequestOrigin(family.client, sourceIp, null))))));
    }

    /** The live sessions of the caller. */
    public Uni<List<LiveSession>> sessionsOf(UUID accountId) {
        Instant now = clock.instant();
        return Panache.withSession(() -> families.liveSessionsOf(accountId, now));
    }

    /** The live sessions of an account, for admins; 404 for an unknown login. */
    public Uni<List<LiveSession>> sessionsOf(String login) {
        Instant now = clock.instant();
        return Panache.withSession(() -> accounts.findByLogin(login).flatMap(account -> account == null
                ? Uni.createFrom().failure(ProblemException.noSuchAccount(login))
                : families.liveSessionsOf(account.id, now)));
    }

    /** Revokes one of the caller's sessions; 404 when the id is not one of theirs. */
    public Uni<Void> revokeOwn(UUID accountId, String sessionId, RequestOrigin origin) {
        Instant now = clock.instant();
        return Panache.withTransaction(() -> accounts.findById(accountId).flatMap(account -> account == null
                ? Uni.createFrom().failure(noSuchSession())
                : revokeOne(account, sessionId, RefreshFamilyRepository.REASON_REVOKED_BY_USER, account.login, now, origin)));
    }

    /** Revokes one session of the named account (admin); 404 for an unknown login or a session not theirs. */
    public Uni<Void> revokeByAdmin(String login, String sessionId, String actor, RequestOrigin origin) {
        Instant now = clock.instant();
        return Panache.withTransaction(() -> accounts.findByLogin(login).flatMap(account -> account == null
                ? Uni.createFrom().failure(ProblemException.noSuchAccount(login))
                : revokeOne(account, sessionId, RefreshFamilyRepository.REASON_REVOKED_BY_ADMIN, actor, now, origin)));
    }

    private Uni<Void> revokeOne(Account account, String sessionId, String reason, String actor, Instant now, RequestOrigin origin) {
        UUID id;
        try {
            id = UUID.fromString(sessionId);
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().failure(noSuchSession());
        }
        return families.findById(id).flatMap(family -> {
            // another account's session is answered exactly like one that does not exist
            if (family == null || !family.accountId.equals(account.id)) {
                return Uni.createFrom().failure(noSuchSession());
            }
            return family.revokedAt != null ? Uni.createFrom().voidItem() : revoke(family, account, reason, actor, now, origin);
        });
    }

    private Uni<Void> revoke(RefreshFamily family, Account account, String reason, String actor, Instant now, RequestOrigin origin) {
        return families.revoke(family.id, reason, now).flatMap(revoked -> revoked != 1 ? Uni.createFrom().voidItem()
                : audit.record(AuditType.SESSION_REVOKED, actor, account.login, origin, reason + "; session " + family.id));
    }

    @Override
    public Uni<Void> credentialsChanged(Account account, AccountListener.Change change, String actor, RequestOrigin origin) {
        return revokeAllOf(account.id, account.login, change.reason(), actor, origin).replaceWithVoid();
    }

    @Override
    public Uni<Void> twoFactorSwitchedOn(String actor, RequestOrigin origin) {
        // switching two-factor on logs everyone out: no session of the password alone outlives it
        return revokeEveryone(RefreshFamilyRepository.REASON_TWO_FACTOR_SWITCHED_ON, actor, origin).replaceWithVoid();
    }

    /**
     * Revokes every session of an account, in the caller's transaction (second factor reset or changed,
     * password changed). Audited when there was anything to revoke.
     */
    public Uni<Integer> revokeAllOf(UUID accountId, String login, String reason, String actor, RequestOrigin origin) {
        return families.revokeAllOf(accountId, reason, clock.instant()).call(n -> n == 0 ? Uni.createFrom().voidItem()
                : audit.record(AuditType.SESSION_REVOKED, actor, login, origin, reason + "; " + n + " session(s)"));
    }

    /** Revokes every session of every account, in the caller's transaction (two-factor switched on). Audited. */
    public Uni<Integer> revokeEveryone(String reason, String actor, RequestOrigin origin) {
        return families.revokeEveryone(reason, clock.instant()).call(n -> audit.record(AuditType.SESSION_REVOKED, actor, null,
                origin, reason + "; " + n + " session(s) of all accounts"));
    }

    private static ProblemException invalidRefreshToken() {
        return new ProblemException(ProblemType.UNAUTHENTICATED, "The refresh token is invalid, expired or revoked; log in again.");
    }

    private static ProblemException noSuchSession() {
        return ProblemException.notFound("No such session.");
    }
}
