package io.twofa.throttle;

import jakarta.enterprise.context.ApplicationScoped;

import io.twofa.config.TwofaConfig;

/** The two throttles of SPEC §2 and §5, with their configured limits. Password failures never lock. */
@ApplicationScoped
public class Throttles {

    public static final String PASSWORD = "password";
    public static final String SECOND_FACTOR = "second_factor";

    private final Throttle.Policy password;
    private final Throttle.Policy secondFactor;

    Throttles(TwofaConfig config) {
        var p = config.passwordThrottle();
        this.password = new Throttle.Policy(PASSWORD, p.freeAttempts(), p.baseDelay(), p.maxDelay(), 0);
        var s = config.secondFactorThrottle();
        this.secondFactor = new Throttle.Policy(SECOND_FACTOR, s.freeAttempts(), s.baseDelay(), s.maxDelay(), s.lockAfter());
    }

    public Throttle.Policy password() {
        return password;
    }

    public Throttle.Policy secondFactor() {
        return secondFactor;
    }
}
