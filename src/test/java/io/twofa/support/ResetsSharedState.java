package io.twofa.support;

import org.junit.jupiter.api.AfterEach;

/** Test classes share one service and its site policy: each test leaves the clock and the policy as it found them. */
public abstract class ResetsSharedState {

    @AfterEach
    void resetSharedState() {
        TestClock.reset();
        Api.twoFactor(false);
    }
}
