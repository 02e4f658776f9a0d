package io.twofa.throttle;

import java.time.Clock;
import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.twofa.config.TwofaConfig;
import io.twofa.database.PeriodicCleanup;
import io.vertx.mutiny.core.Vertx;

/**
 * Removes expired password counters and stale known addresses every {@code twofa.password-throttle.cleanup-interval},
 * so a flood of distinct (unknown) logins leaves no lasting rows. Every instance runs it; the deletes are idempotent.
 */
@ApplicationScoped
class ThrottleCleanup {

    /** Rows deleted per statement, so one cleanup never holds many locks for long. */
    static final int BATCH = 5_000;

    private final ThrottleRepository counters;
    private final Clock clock;
    private final Duration every;
    private final Duration knownFor;
    private final PeriodicCleanup periodic = new PeriodicCleanup("expired throttle rows", this::cleanup);

    ThrottleCleanup(ThrottleRepository counters, Clock clock, TwofaConfig config) {
        this.counters = counters;
        this.clock = clock;
        this.every = config.passwordThrottle().cleanupInterval();
        this.knownFor = config.passwordThrottle().knownAddressLifetime();
    }

    void start(@Observes StartupEvent event, Vertx vertx) {
        periodic.start(vertx, every);
    }

    /** Deletes in batches until none is left; the number of rows removed. */
    Uni<Integer> cleanup() {
        return counters.deleteStaleKnownAddresses(clock.instant().minus(knownFor))
                .flatMap(known -> PeriodicCleanup.inBatches(batch -> counters.deleteExpired(clock.instant(), batch), BATCH)
                        .map(n -> known + n));
    }

    void stop(@Observes ShutdownEvent event, Vertx vertx) {
        periodic.stop(vertx);
    }
}
