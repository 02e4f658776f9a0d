package io.twofa.login;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.twofa.account.AccountService;
import io.twofa.audit.AuditLog;
import io.twofa.audit.AuditType;
import io.twofa.database.Sql;
import io.twofa.database.Statement;
import io.twofa.error.ProblemException;
import io.twofa.error.ProblemType;
import io.twofa.factor.Evaluation;
import io.twofa.factor.SecondFactor;
import io.twofa.factor.SecondFactors;
import io.twofa.policy.SitePolicyService;
import io.twofa.session.LoginTokens;
import io.twofa.throttle.Attempt;
import io.twofa.throttle.Throttle;
import io.twofa.throttle.Throttles;
import io.twofa.token.Challenges;
import io.twofa.token.TokenPrincipal;
import io.twofa.token.TokenService;
import io.twofa.web.RequestOrigin;
import io.vertx.mutiny.sqlclient.Row;

/**
 * The second factor at login (SPEC §5): any {@link SecondFactor}, under one shared throttle, with a single-use
 * challenge.
 * <p>
 * Two statements. The first counts the attempt against the throttle (committed at once, before anything is
 * evaluated, so the throttle holds whatever happens) and reads what evaluating needs. The factor then evaluates the
 * input in memory. The second statement records the outcome atomically: the factor's spend (replay guard, single-use
 * code), the challenge's spend, the counter's reset and the audit rows; if the challenge was spent by a concurrent
 * request, the whole statement fails and nothing of it remains.
 */
@ApplicationScoped
public class VerificationService {

    public static final List<String> AMR_MFA = List.of("pwd", "otp", "mfa");

    private final VerificationRepository statements;
    private final SecondFactors factors;
    private final AccountService accounts;
    private final SitePolicyService policies;
    private final Challenges challenges;
    private final Throttle throttle;
    private final Throttles throttles;
    private final TokenService tokens;
    private final LoginTokens loginTokens;
    private final AuditLog audit;
    private final Clock clock;

    VerificationService(VerificationRepository statements, SecondFactors factors, AccountService accounts,
            SitePolicyService policies, Challenges challenges, Throttle throttle, Throttles throttles, TokenService tokens,
            LoginTokens loginTokens, AuditLog audit, Clock clock) {
        this.statements = statements;
        this.factors = factors;
        this.accounts = accounts;
        this.policies = policies;
        this.challenges = challenges;
        this.throttle = throttle;
        this.throttles = throttles;
        this.tokens = tokens;
        this.loginTokens = loginTokens;
        this.audit = audit;
        this.clock = clock;
    }

    /** What the first statement read, for an existing account. */
    private record Facts(String login, String role, int accessLifetime, boolean challengeSpent, Row row) {
    }

    /** A second factor proved: the account's login, role and the policy's access-token lifetime, and what the factor adds. */
    public record Proved(String login, String role, int accessLifetime, Map<String, Object> answer) {
    }

    /** {@code input}: the verify body's members; exactly one must name a factor ({@link SecondFactor#inputField}). */
    public Uni<LoginResult.Authenticated> verify(TokenPrincipal challenge, Map<String, String> input, RequestOrigin origin) {
        if (!TokenPrincipal.PURPOSE_SECOND_FACTOR.equals(challenge.purpose())) {
            throw new ProblemException(ProblemType.WRONG_STEP, "This login must enrol an authenticator first.");
        }
        SecondFactor factor = factorOf(input);
        return attempt(challenge.accountId(), challenge, factor, input.get(factor.inputField()), origin, "")
                .flatMap(proved -> {
                    TokenService.Login login = new TokenService.Login(challenge.accountId(), proved.login(), proved.role(),
                            challenge.client(), AMR_MFA, factor.type().wireName(), challenge.authTime());
                    Uni<io.twofa.token.IssuedTokens> issued = loginTokens.refreshFor(challenge.client())
                            ? Panache.withTransaction(() -> loginTokens.issue(login, proved.accessLifetime()))
                            : loginTokens.issue(login, proved.accessLifetime());
                    return issued.map(tokensIssued -> new LoginResult.Authenticated(tokensIssued, null, proved.answer()));
                });
    }

    /** The one factor named by {@code input} (members that are not null), or 400. */
    public SecondFactor factorOf(Map<String, String> input) {
        List<SecondFactor> named = input.keySet().stream().map(factors::byInputField).flatMap(java.util.Optional::stream).toList();
        if (named.size() != 1 || input.size() != 1 || input.values().iterator().next() == null) {
            throw ProblemException.invalidInput(null, "Send exactly one of " + String.join(", ",
                    factors.all().stream().map(f -> "'" + f.inputField() + "'").toList()) + ".");
        }
        return named.get(0);
    }

    /**
     * A second factor proved outside a login (step-up, SPEC §7): the same throttle, evaluation, single use and audit as
     * {@link #verify}, without a challenge to spend.
     */
    public Uni<Proved> prove(UUID accountId, SecondFactor factor, String value, RequestOrigin origin) {
        return attempt(accountId, null, factor, value, origin, " at step-up");
    }

    /** One attempt under the shared throttle; {@code challenge} null: none to check or spend. */
    private Uni<Proved> attempt(UUID accountId, TokenPrincipal challenge, SecondFactor factor, String value, RequestOrigin origin,
            String context) {
        String subject = accountId.toString();
        Instant now = clock.instant();
        String detail = factor.type().wireName() + context;
        return throttle.reserve(throttles.secondFactor(), subject, now, facts(accountId, challenge, factor), row -> new Facts(row.getString("account_login"),
                row.getString("account_role"), row.getInteger("policy_access_lifetime"), row.getBoolean("challenge_spent"), row))
                .flatMap(reserved -> {
                    Facts facts = reserved.read();
                    if (facts == null) {
                        return Uni.createFrom().failure(ProblemException.badCode());
                    }
                    if (!(reserved.attempt() instanceof Attempt.Allowed)) {
                        return refused(reserved.attempt(), facts, factor, origin, detail);
                    }
                    if (facts.challengeSpent()) {
                        return recordAndFail(entry(AuditType.SECOND_FACTOR_FAILED, factor, facts, origin, "challenge spent"),
                                Challenges.spentProblem());
                    }
                    Evaluation evaluation = factor.evaluate(accountId, facts.row(), value, now);
                    if (!(evaluation instanceof Evaluation.Matched matched)) {
                        return recordAndFail(entry(AuditType.SECOND_FACTOR_FAILED, factor, facts, origin, detail),
                                ProblemException.badCode());
                    }
                    return spend(challenge, factor, facts, matched, accountId, origin, detail);
                });
    }

    /** What the first statement reads besides the throttle's count; {@code challenge} null: none to check. */
    Sql facts(UUID accountId, TokenPrincipal challenge, SecondFactor factor) {
        return VerificationRepository.attemptFacts(accounts.loginAndRole(accountId), policies.accessLifetime(),
                challenge == null ? VerificationRepository.noChallenge() : challenges.spentFlag(challenge),
                factor.load(accountId));
    }

    /** The audit rows a matched input may lead to: success (and the factor's own event) or failure. */
    record OutcomeEvents(AuditLog.Entry succeeded, AuditLog.Entry failed, AuditLog.Entry extra) {
    }

    static OutcomeEvents events(SecondFactor factor, String login, RequestOrigin origin, Evaluation.Matched matched, String detail) {
        String name = factor.type().wireName();
        return new OutcomeEvents(new AuditLog.Entry(AuditType.SECOND_FACTOR_SUCCEEDED, name, login, login, origin, detail),
                new AuditLog.Entry(AuditType.SECOND_FACTOR_FAILED, name, login, login, origin, detail),
                matched.extraEvent() == null ? null
                        : new AuditLog.Entry(matched.extraEvent(), name, login, login, origin, matched.extraDetail()));
    }

    /**
     * The second statement: the outcome, recorded atomically (the factor's spend, the challenge's when there is one, the
     * counter's reset and the audit rows, all gated on the last spend). Its one column {@code n} is 1 on success.
     */
    Statement.Rendered outcome(UUID accountId, TokenPrincipal challenge, Evaluation.Matched matched, OutcomeEvents events) {
        Statement statement = Statement.with("factor_spent", matched.spend());
        String gate = "factor_spent";
        if (challenge != null) {
            statement.and("challenge_spent", challenges.spendAfter(challenge, "factor_spent"));
            gate = "challenge_spent";
        }
        statement.and("counter_cleared", throttle.clearIf(throttles.secondFactor(), accountId.toString(), gate))
                .and("audit_succeeded", audit.insert("ok", events.succeeded(), gate, true))
                .and("audit_failed", audit.insert("failed", events.failed(), gate, false));
        if (events.extra() != null) {
            statement.and("audit_extra", audit.insert("extra", events.extra(), gate, true));
        }
        return statement.select(VerificationRepository.countOf(gate));
    }

    /** The second statement run; a success proves the factor. */
    private Uni<Proved> spend(TokenPrincipal challenge, SecondFactor factor, Facts facts, Evaluation.Matched matched,
            UUID accountId, RequestOrigin origin, String detail) {
        OutcomeEvents events = events(factor, facts.login(), origin, matched, detail);
        AuditLog.Entry succeeded = events.succeeded();
        AuditLog.Entry failed = events.failed();
        AuditLog.Entry extra = events.extra();
        return statements.run(outcome(accountId, challenge, matched, events))
                .onFailure(Challenges::spentMeanwhile).transform(e -> Challenges.spentProblem())
                .flatMap(row -> {
                    if (row.getLong("n") != 1) {
                        audit.counted(failed);
                        return Uni.createFrom().failure(ProblemException.badCode());
                    }
                    audit.counted(succeeded);
                    if (extra != null) {
                        audit.counted(extra);
                    }
                    return Uni.createFrom().item(new Proved(facts.login(), facts.role(), facts.accessLifetime(), matched.answer()));
                });
    }

    private <T> Uni<T> refused(Attempt refusal, Facts facts, SecondFactor factor, RequestOrigin origin, String detail) {
        boolean locked = refusal instanceof Attempt.Locked;
        ProblemException problem = locked ? ProblemException.secondFactorLocked()
                : ProblemException.throttled(((Attempt.Throttled) refusal).retryAfterSeconds());
        return recordAndFail(entry(locked ? AuditType.SECOND_FACTOR_LOCKED : AuditType.SECOND_FACTOR_THROTTLED, factor, facts,
                origin, detail), problem);
    }

    private <T> Uni<T> recordAndFail(AuditLog.Entry entry, ProblemException problem) {
        return statements.run(Statement.of(audit.insert("only", entry, null, true)))
                .invoke(() -> audit.counted(entry))
                .chain(() -> Uni.createFrom().<T>failure(problem));
    }

    private static AuditLog.Entry entry(AuditType type, SecondFactor factor, Facts facts, RequestOrigin origin, String detail) {
        return new AuditLog.Entry(type, factor.type().wireName(), facts.login(), facts.login(), origin, detail);
    }
}
