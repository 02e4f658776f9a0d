package io.twofa.throttle;

import jakarta.enterprise.context.ApplicationScoped;

import io.twofa.config.TwofaConfig;

/** The throttles of SPEC §2 and §5, with their configured limits. Password failures never lock. */
@ApplicationScoped
public class Throttles {

    public static final String SECOND_FACTOR = "second_factor";

    private final Throttle.PasswordRules password;
    private final Throttle.Policy secondFactor;

    Throttles(TwofaConfig config) {
        var p = config.passwordThrottle();
        require(p.freeAttempts() >= 1 && p.addressFreeAttempts() >= 1 && p.loginCeiling() >= 1,
                "twofa.password-throttle: free-attempts, address-free-attempts and login-ceiling must be at least 1");
        require(!p.ceilingWindow().isNegative() && !p.ceilingWindow().isZero() && !p.ceilingSlot().isNegative(),
                "twofa.password-throttle: ceiling-window must be positive, ceiling-slot not negative");
        require(p.ipv6PrefixLength() >= 0 && p.ipv6PrefixLength() <= 128,
                "twofa.password-throttle.ipv6-prefix-length must be between 0 and 128");
        this.password = new Throttle.PasswordRules(
                new Throttle.Policy("pw_pair", p.freeAttempts(), p.baseDelay(), p.maxDelay(), 0),
                new Throttle.Policy("pw_address", p.addressFreeAttempts(), p.addressBaseDelay(), p.addressMaxDelay(), 0),
                p.loginCeiling(), p.ceilingWindow(), p.ceilingSlot(), p.knownAddressLifetime(), p.forgetAfter(),
                p.ipv6PrefixLength());
        var s = config.secondFactorThrottle();
        this.secondFactor = new Throttle.Policy(SECOND_FACTOR, s.freeAttempts(), s.baseDelay(), s.maxDelay(), s.lockAfter());
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }

    public Throttle.PasswordRules password() {
        return password;
    }

    public Throttle.Policy secondFactor() {
        return secondFactor;
    }
}
