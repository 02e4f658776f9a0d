package io.twofa.throttle;

import jakarta.enterprise.context.ApplicationScoped;

import io.twofa.config.TwofaConfig;

/** The two throttles of SPEC §2 and §5, with their configured limits. Password failures never lock. */
@ApplicationScoped
public class Throttles {

    public static final String PASSWORD = "password";
    public static final String SECOND_FACTOR = "second_factor";

    private final AttemptThrottle.Policy password;
    private final AttemptThrottle.Policy secondFactor;

    Throttles(TwofaConfig config) {
        var p = config.passwordThrottle();
        this.password = new AttemptThrottle.Policy(PASSWORD, p.freeAttempts(), p.baseDelay(), p.maxDelay(), 0);
        var s = config.secondFactorThrottle();
        this.secondFactor = new AttemptThrottle.Policy(SECOND_FACTOR, s.freeAttempts(), s.baseDelay(), s.maxDelay(), s.lockAfter());
    }

    public AttemptThrottle.Policy password() {
        return password;
    }

    public AttemptThrottle.Policy secondFactor() {
        return secondFactor;
    }
}
