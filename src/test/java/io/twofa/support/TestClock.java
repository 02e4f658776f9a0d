package io.twofa.support;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Singleton;

/**
 * Replaces the service's clock in tests: real time shifted by an offset that tests move, so TOTP steps,
 * throttle waits and token expiry can be crossed without sleeping.
 */
@Alternative
@Priority(1)
@Singleton
public class TestClock extends Clock {

    private static final AtomicReference<Duration> OFFSET = new AtomicReference<>(Duration.ZERO);

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return Instant.now().plus(OFFSET.get());
    }

    public static Instant now() {
        return Instant.now().plus(OFFSET.get());
    }

    public static void advance(Duration by) {
        OFFSET.updateAndGet(d -> d.plus(by));
    }

    /** Moves to the start of the next TOTP step, so a test has a full 30 s step to work in. */
    public static void toStartOfNextStep() {
        Instant now = now();
        long next = (now.getEpochSecond() / 30 + 1) * 30;
        advance(Duration.between(now, Instant.ofEpochSecond(next)).plusMillis(100));
    }

    public static void reset() {
        OFFSET.set(Duration.ZERO);
    }
}
