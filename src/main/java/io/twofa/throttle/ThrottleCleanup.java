package io.twofa.throttle;

import java.time.Clock;
import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.twofa.config.TwofaConfig;
import io.vertx.mutiny.core.Vertx;

/**
 * Removes expired password counters and stale known addresses every {@code twofa.password-throttle.cleanup-interval},
 * so a flood of distinct (unknown) logins leaves no lasting rows. Every instance runs it; the deletes are idempotent.
 */
@ApplicationScoped
class ThrottleCleanup {

    private static final Logger LOG = Logger.getLogger(ThrottleCleanup.class);
    /** Rows deleted per statement, so one cleanup never holds many locks for long. */
    static final int BATCH = 5_000;

    private final ThrottleRepository counters;
    private final Clock clock;
    private final Duration every;
    private final Duration knownFor;
    private long timer = -1;
    private volatile boolean running;

    ThrottleCleanup(ThrottleRepository counters, Clock clock, TwofaConfig config) {
        this.counters = counters;
        this.clock = clock;
        this.every = config.passwordThrottle().cleanupInterval();
        this.knownFor = config.passwordThrottle().knownAddressLifetime();
    }

    void start(@Observes StartupEvent event, Vertx vertx) {
        timer = vertx.setPeriodic(Math.max(100, every.toMillis()), id -> {
            if (running) {
                return;
            }
            running = true;
            cleanup().subscribe().with(n -> {
                running = false;
                if (n > 0) {
                    LOG.debugf("Removed %d expired throttle rows", n);
                }
            }, failure -> {
                running = false;
                LOG.debugf("Cleanup of throttle rows failed: %s", failure.getClass().getName());
            });
        });
    }

    /** Deletes in batches until none is left; the number of rows removed. */
    Uni<Integer> cleanup() {
        return counters.deleteStaleKnownAddresses(clock.instant().minus(knownFor))
                .flatMap(known -> expired(known));
    }

    private Uni<Integer> expired(int sofar) {
        return counters.deleteExpired(clock.instant(), BATCH)
                .flatMap(n -> n < BATCH ? Uni.createFrom().item(sofar + n) : expired(sofar + n));
    }

    void stop(@Observes ShutdownEvent event, Vertx vertx) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }
}
