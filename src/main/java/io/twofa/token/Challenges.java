package io.twofa.token;

import java.time.Clock;
import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.twofa.config.TwofaConfig;
import io.twofa.database.Sql;
import io.twofa.error.ProblemException;
import io.twofa.error.ProblemType;
import io.vertx.mutiny.core.Vertx;

/**
 * Single use of challenge tokens (SPEC §3): the first success spends a challenge, as a database fact shared by all
 * instances; later uses get 401 {@code challenge-spent}.
 */
@ApplicationScoped
public class Challenges {

    private static final Logger LOG = Logger.getLogger(Challenges.class);
    private static final Duration CLEANUP_EVERY = Duration.ofMinutes(1);

    private final ChallengeRepository spent;
    private final Clock clock;
    private final Duration skew;
    private long timer = -1;

    Challenges(ChallengeRepository spent, Clock clock, TwofaConfig config) {
        this.spent = spent;
        this.clock = clock;
        this.skew = Duration.ofSeconds(config.token().clockSkewSeconds());
    }

    public static ProblemException spentProblem() {
        return new ProblemException(ProblemType.CHALLENGE_SPENT,
                "This sign-in step was already completed with this challenge; log in again.");
    }

    /** A one-column query, {@code challenge_spent}, for a statement composed by the caller. */
    public Sql spentFlag(TokenPrincipal challenge) {
        return ChallengeRepository.spentFlag(challenge.tokenId());
    }

    /** Spends the challenge when {@code gate} returned a row, as a piece of the caller's statement. */
    public Sql spendAfter(TokenPrincipal challenge, String gate) {
        return ChallengeRepository.spendAfter(challenge.tokenId(), challenge.expiresAt().plus(skew), gate);
    }

    /** Spends the challenge in the caller's Hibernate transaction, or fails it with {@code challenge-spent}. */
    public Uni<Void> spend(TokenPrincipal challenge) {
        return spent.spendInTransaction(challenge.tokenId(), challenge.expiresAt().plus(skew)).invoke(n -> {
            if (n != 1) {
                throw spentProblem();
            }
        }).replaceWithVoid();
    }

    /** Fails with {@code challenge-spent} when the challenge was used already (before any other work on it). */
    public Uni<Void> requireUnspent(TokenPrincipal challenge) {
        return spent.isSpent(challenge.tokenId()).invoke(isSpent -> {
            if (isSpent) {
                throw spentProblem();
            }
        }).replaceWithVoid();
    }

    /** Whether a failed statement failed because the challenge was spent meanwhile (unique violation on its key). */
    public static boolean spentMeanwhile(Throwable failure) {
        return ChallengeRepository.isSpentConflict(failure);
    }

    void start(@Observes StartupEvent event, Vertx vertx) {
        timer = vertx.setPeriodic(CLEANUP_EVERY.toMillis(), id -> spent.deleteExpired(clock.instant().minus(skew))
                .subscribe().with(n -> LOG.debugf("Forgot %d expired spent challenges", n),
                        failure -> LOG.debugf("Cleanup of spent challenges failed: %s", failure.getClass().getName())));
    }

    void stop(@Observes ShutdownEvent event, Vertx vertx) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }
}
