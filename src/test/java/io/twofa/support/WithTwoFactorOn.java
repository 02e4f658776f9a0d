package io.twofa.support;

import org.junit.jupiter.api.BeforeEach;

/** Tests of the second factor: the site policy requires it for each test. */
public abstract class WithTwoFactorOn extends ResetsSharedState {

    @BeforeEach
    void requireTwoFactor() {
        Api.twoFactor(true);
    }
}
