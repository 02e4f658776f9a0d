package io.twofa.session;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
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
 * <p>Rotation: a refresh token is spent by one conditional UPDATE ({@link RefreshTokenRepository#rotateOnce}); its
 * successor is derived from it ({@link RefreshSuccessor}).
 *
 * <p>Grace: processes that share one session (Desktop and the Toolkit apps and RV it starts) may refresh at the
 * same moment with the same token. A token presented again within {@code twofa.refresh.grace-period} of its
 * rotation (and a request that loses the race for the rotation) therefore gets the <em>same</em> successor and a
 * new access token of the same session; nothing new is stored. The grace gives nothing the rotation did not: the
 * successor keeps its expiry, the family its absolute end, and a revoked family never answers (the answer takes
 * the family's row lock, see {@link RefreshFamilyRepository#touchLive}).
 *
 * <p>Reuse: a token presented after the grace revokes its whole family, since one of the two presenters must be a
 * thief and the service cannot tell which; that request is told {@code refresh-reused}, later ones
 * {@code session-revoked} with reason {@code reuse}.
 *
 * <p>Failures are typed (invalid, expired, revoked with its reason, reused), but only for a caller who holds a
 * token value the service issued: anything else is just {@code refresh-invalid}.
 *
 * <p>Revocations caused by other changes (second factor reset or replaced, password changed, two-factor
 * switched on) are made by {@link #revokeAllOf} and {@link #revokeEveryone} inside the caller's transaction.
 */
@ApplicationScoped
public class SessionService implements AccountListener, PolicyListener {

    /** A refresh's result: the new tokens, and when enrolment becomes due for a session still in its grace period. */
    public record Refreshed(IssuedTokens tokens, Instant enrollmentDue) {
    }

    /**
     * What a refresh came to. A refusal is a value, not a failure, so that what it changed (a revocation for reuse)
     * commits before the 401 is answered.
     */
    private sealed interface Outcome {
        record Done(Refreshed refreshed) implements Outcome {
        }

        record Refused(ProblemException problem) implements Outcome {
        }
    }

    /** The presented token as found: its bytes (to derive the successor), its row, its family and account. */
    private record Presented(byte[] raw, RefreshToken token, RefreshFamily family, Account account, RequestOrigin origin) {
    }

    private static final int MAX_INPUT = 8192;

    private final RefreshFamilyRepository families;
    private final RefreshTokenRepository refreshTokens;
    private final RefreshSuccessor successors;
    private final AccountService accounts;
    private final SitePolicyService policies;
    private final LoginTokens loginTokens;
    private final TokenService tokens;
    private final AuditLog audit;
    private final Clock clock;

    SessionService(RefreshFamilyRepository families, RefreshTokenRepository refreshTokens, RefreshSuccessor successors,
            AccountService accounts, SitePolicyService policies, LoginTokens loginTokens, TokenService tokens, AuditLog audit,
            Clock clock) {
        this.families = families;
        this.refreshTokens = refreshTokens;
        this.successors = successors;
        this.accounts = accounts;
        this.policies = policies;
        this.loginTokens = loginTokens;
        this.tokens = tokens;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * Exchanges a refresh token for its successor and a new access token stating what the original login proved.
     * Failures are 401 problems of the types {@code refresh-invalid}, {@code refresh-expired},
     * {@code session-revoked} (with {@code reason}) and {@code refresh-reused}; a revocation for reuse is committed
     * before the 401 is answered.
     */
    public Uni<Refreshed> refresh(String refreshToken, String sourceIp) {
        // any length up to the body limit: a value that is not a token's shape is an unknown token (401), not bad input
        String value = Require.text("refresh_token", refreshToken, 1, MAX_INPUT);
        var raw = RefreshTokenValue.decode(value);
        if (raw.isEmpty()) {
            return Uni.createFrom().failure(invalid());
        }
        Instant now = clock.instant();
        return Panache.withTransaction(() -> refreshTokens.findByHash(RefreshTokenValue.hashOfRaw(raw.get())).flatMap(token -> token == null
                ? refused(invalid())
                : families.findById(token.familyId).flatMap(family -> family == null
                        ? refused(invalid())
                        : accounts.findById(family.accountId).flatMap(account -> account == null
                                ? refused(invalid())
                                // a disabled account's sessions are revoked with the change; this also covers one begun meanwhile
                                : !account.isActive() ? refused(revoked(RevocationReason.ACCOUNT_DISABLED))
                                : decide(new Presented(raw.get(), token, family, account,
                                        new RequestOrigin(family.client, sourceIp, null)), State.of(token, family), now, true)))))
                .map(outcome -> {
                    if (outcome instanceof Outcome.Done done) {
                        return done.refreshed();
                    }
                    throw ((Outcome.Refused) outcome).problem();
                });
    }

    /**
     * The order matters: a revoked session says why whatever else is true; an ended one is over (a spent token of
     * an expired session is no threat, so it is not treated as reuse); then a spent token is either within the
     * grace or reuse; only a live token is rotated.
     */
    private Uni<Outcome> decide(Presented p, State state, Instant now, boolean mayRotate) {
        RefreshFamily family = p.family();
        RefreshToken token = p.token();
        if (state.revocation().at() != null) {
            return refused(revoked(state.revocation().reason()));
        }
        if (!family.absoluteExpiry.isAfter(now)) {
            return refused(expired());
        }
        if (state.rotatedAt() != null) {
            return withinGrace(state.rotatedAt(), now) ? againWithinGrace(p, now) : reused(p, now);
        }
        if (!token.expiresAt.isAfter(now)) {
            return refused(expired());
        }
        if (!mayRotate) {
            // lost the rotation, yet the rows say neither spent nor revoked: cannot happen after a committed winner
            return refused(invalid());
        }
        return policyGate(p, now, (policy, enrollmentDue) -> refreshTokens.rotateOnce(token.id, now).flatMap(won -> won == 1
                ? rotate(p, policy, now, enrollmentDue)
                // another request spent the token (or the family was revoked) since we read it: look again
                : refreshTokens.rotatedAt(token.id).flatMap(rotatedAt -> families.revocation(family.id)
                        .flatMap(revocation -> decide(p, new State(rotatedAt, revocation), now, false)))));
    }

    /** The parts of the token's and family's rows that concurrent requests change, as last read. */
    private record State(Instant rotatedAt, RefreshFamilyRepository.Revocation revocation) {
        static State of(RefreshToken token, RefreshFamily family) {
            return new State(token.rotatedAt, new RefreshFamilyRepository.Revocation(family.revokedAt, family.revokedReason));
        }
    }

    private boolean withinGrace(Instant rotatedAt, Instant now) {
        Duration grace = loginTokens.gracePeriod();
        // zero turns the grace off: then even a request that raced the rotation is reuse
        return !grace.isZero() && !now.isAfter(rotatedAt.plus(grace));
    }

    private interface Granted {
        Uni<Outcome> apply(SitePolicy policy, Instant enrollmentDue);
    }

    /** A password-only session of an account that must now use a second factor gets no more access tokens. */
    private Uni<Outcome> policyGate(Presented p, Instant now, Granted granted) {
        return policies.current().flatMap(policy -> {
            boolean secondFactorDue = !p.family().provedSecondFactor() && !p.account().isExemptFromTwoFactor()
                    && policy.twoFactorRequired;
            boolean inEnrollmentGrace = policy.enforceFrom != null && policy.enforceFrom.isAfter(now);
            if (secondFactorDue && !inEnrollmentGrace) {
                return revoke(p.family(), p.account(), RevocationReason.TWO_FACTOR_REQUIRED, p.account().login, now,
                        p.origin()).replaceWith(refusal(revoked(RevocationReason.TWO_FACTOR_REQUIRED)));
            }
            return granted.apply(policy, secondFactorDue ? policy.enforceFrom : null);
        });
    }

    private Uni<Outcome> rotate(Presented p, SitePolicy policy, Instant now, Instant enrollmentDue) {
        return loginTokens.addToken(p.family(), now, successors.of(p.raw()))
                .call(() -> families.touch(p.family().id, now))
                .call(() -> audit.record(AuditType.SESSION_REFRESHED, p.account().login, p.account().login, p.origin(),
                        "session " + p.family().id))
                .map(refresh -> done(p, policy, refresh.value(), refresh.expiresIn(), enrollmentDue));
    }

    /** The same successor as the rotation gave, recomputed from the presented value, and a new access token. */
    private Uni<Outcome> againWithinGrace(Presented p, Instant now) {
        return successorOf(p, successors.candidates(p.raw()), 0).flatMap(found -> {
            if (found == null) {
                // rotated by a service without derived successors, or under a key no longer configured: the session
                // lives on for whoever got the successor, this caller logs in again
                return refused(invalid());
            }
            RefreshToken successor = found.token();
            if (!successor.expiresAt.isAfter(now)) {
                return refused(expired());
            }
            return policyGate(p, now, (policy, enrollmentDue) -> families.touchLive(p.family().id, now).flatMap(live -> live != 1
                    ? families.revocation(p.family().id).map(r -> refusal(revoked(r.reason())))
                    : audit.record(AuditType.SESSION_REFRESHED, p.account().login, p.account().login, p.origin(),
                            "session " + p.family().id + "; again within the grace period: the same successor")
                            .replaceWith(() -> done(p, policy, found.value(),
                                    Math.max(0, Duration.between(now, successor.expiresAt).toSeconds()), enrollmentDue))));
        });
    }

    private record Successor(String value, RefreshToken token) {
    }

    private Uni<Successor> successorOf(Presented p, List<String> candidates, int i) {
        if (i == candidates.size()) {
            return Uni.createFrom().nullItem();
        }
        String value = candidates.get(i);
        return refreshTokens.findByHash(RefreshTokenValue.hashOfNew(value)).flatMap(t -> t != null && t.familyId.equals(p.family().id)
                ? Uni.createFrom().item(new Successor(value, t))
                : successorOf(p, candidates, i + 1));
    }

    private Outcome done(Presented p, SitePolicy policy, String refreshValue, long refreshExpiresIn, Instant enrollmentDue) {
        Account account = p.account();
        RefreshFamily family = p.family();
        var access = tokens.issueAccess(new TokenService.Login(account.id, account.login, account.role.wireName(),
                family.client, family.amrList(), family.factor, family.authTime), policy.accessTokenLifetimeSeconds);
        return new Outcome.Done(new Refreshed(new IssuedTokens(access.token(), access.expiresIn(), refreshValue, refreshExpiresIn),
                enrollmentDue));
    }

    /** Theft detection: the whole family goes, including the newest token the legitimate holder has. */
    private Uni<Outcome> reused(Presented p, Instant now) {
        RefreshFamily family = p.family();
        return families.revoke(family.id, RevocationReason.REUSE, now)
                .call(count -> audit.record(AuditType.REFRESH_TOKEN_REUSED, null, p.account().login, p.origin(),
                        "rotated token presented again after the grace period; session " + family.id
                                + (count == 1 ? " revoked" : " already revoked")))
                .flatMap(count -> count == 1
                        ? refused(reusedProblem())
                        // revoked meanwhile by someone else: tell why
                        : families.revocation(family.id).map(r -> refusal(revoked(r.reason()))));
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
                                RevocationReason.LOGOUT, account.login, now,
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
                : revokeOne(account, sessionId, RevocationReason.REVOKED_BY_USER, account.login, now, origin)));
    }

    /** Revokes one session of the named account (admin); 404 for an unknown login or a session not theirs. */
    public Uni<Void> revokeByAdmin(String login, String sessionId, String actor, RequestOrigin origin) {
        Instant now = clock.instant();
        return Panache.withTransaction(() -> accounts.findByLogin(login).flatMap(account -> account == null
                ? Uni.createFrom().failure(ProblemException.noSuchAccount(login))
                : revokeOne(account, sessionId, RevocationReason.REVOKED_BY_ADMIN, actor, now, origin)));
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
        return revokeEveryone(RevocationReason.TWO_FACTOR_SWITCHED_ON, actor, origin).replaceWithVoid();
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

    private static Uni<Outcome> refused(ProblemException problem) {
        return Uni.createFrom().item(refusal(problem));
    }

    private static Outcome refusal(ProblemException problem) {
        return new Outcome.Refused(problem);
    }

    /** Unknown or malformed: the only answer for a caller who holds no token value the service issued. */
    static ProblemException invalid() {
        return new ProblemException(ProblemType.REFRESH_INVALID, "The refresh token is not known; log in again.");
    }

    static ProblemException expired() {
        return new ProblemException(ProblemType.REFRESH_EXPIRED, "The session has expired; log in again.");
    }

    static ProblemException revoked(String storedReason) {
        // every revocation stores its reason; a row without one (written by hand) still gets a well-formed answer
        String reason = storedReason == null ? "unknown" : storedReason;
        return new ProblemException(ProblemType.SESSION_REVOKED, "The session was ended (" + reason + "); log in again.",
                Map.of("reason", reason), Map.of());
    }

    static ProblemException reusedProblem() {
        return new ProblemException(ProblemType.REFRESH_REUSED, "This refresh token was already used, so it may have been "
                + "stolen: the session has been ended. Log in again.");
    }

    private static ProblemException noSuchSession() {
        return ProblemException.notFound("No such session.");
    }
}
