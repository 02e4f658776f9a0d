package io.twofa.token;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import io.smallrye.mutiny.Uni;
import io.twofa.config.TwofaConfig;
import io.twofa.error.ProblemException;
import io.twofa.error.ProblemType;

/**
 * The one check before an action that weakens security or grants power (SPEC §7): the caller's access token must come
 * from a recent complete authentication. "Recent": {@code auth_time} at most {@code twofa.step-up.max-age} old (a
 * refresh keeps the original {@code auth_time}, so it never counts as one). "Complete": both factors ({@code amr}
 * holds {@code mfa}), or the password alone where that is a complete login ({@link PasswordOnlyLogin}). Otherwise 403
 * {@code step-up-required} with {@code max_age}; POST /api/v1/auth/step-up gives a fresh token.
 */
@ApplicationScoped
public class StepUp {

    /** The caller passed: their authentication was {@code ageSeconds} old (recorded in the action's audit event). */
    public record Recent(long ageSeconds) {
    }

    private final Clock clock;
    private final long maxAgeSeconds;
    private final long skewSeconds;
    private final Instance<PasswordOnlyLogin> passwordOnly;

    StepUp(TwofaConfig config, Clock clock, Instance<PasswordOnlyLogin> passwordOnly) {
        Duration maxAge = config.stepUp().maxAge();
        if (maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalStateException("twofa.step-up.max-age (TWOFA_STEP_UP_MAX_AGE) must be positive, e.g. 5M");
        }
        this.clock = clock;
        this.maxAgeSeconds = maxAge.toSeconds();
        this.skewSeconds = config.token().clockSkewSeconds();
        this.passwordOnly = passwordOnly;
    }

    public long maxAgeSeconds() {
        return maxAgeSeconds;
    }

    /** Seconds since the caller's authentication (0 for one stamped slightly ahead of this server's clock). */
    public long ageOf(TokenPrincipal caller) {
        return Math.max(0, clock.instant().getEpochSecond() - caller.authTime().getEpochSecond());
    }

    /** Passes with the age of a recent complete authentication, or fails with 403 {@code step-up-required}. */
    public Uni<Recent> require(TokenPrincipal caller) {
        long age = clock.instant().getEpochSecond() - caller.authTime().getEpochSecond();
        // an auth_time ahead of the clock beyond the tolerated skew is not trusted as recent
        if (caller.isChallenge() || age > maxAgeSeconds || age < -skewSeconds) {
            return Uni.createFrom().failure(required());
        }
        Recent recent = new Recent(Math.max(0, age));
        if (caller.amr() != null && caller.amr().contains("mfa")) {
            return Uni.createFrom().item(recent);
        }
        if (!passwordOnly.isResolvable()) {
            return Uni.createFrom().failure(required());
        }
        return passwordOnly.get().isComplete(caller.accountId()).map(complete -> {
            if (!complete) {
                throw required();
            }
            return recent;
        });
    }

    public ProblemException required() {
        return new ProblemException(ProblemType.STEP_UP_REQUIRED, "This action needs a sign-in from the last "
                + describe(maxAgeSeconds) + " with every factor of your account. Confirm your password and code "
                + "(POST /api/v1/auth/step-up), then try again.", Map.of("max_age", maxAgeSeconds), Map.of());
    }

    private static String describe(long seconds) {
        return seconds % 60 == 0 ? (seconds / 60) + (seconds == 60 ? " minute" : " minutes") : seconds + " seconds";
    }
}
