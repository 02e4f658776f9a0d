package io.twofa.device;

import java.time.Clock;
import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;

/**
 * Deletes device authorizations some time after they expire, and forgets the counters of past budget windows, every
 * minute, so neither table grows with time. Every instance runs it; the deletes are idempotent.
 */
@ApplicationScoped
class DeviceCleanup {

    private static final Logger LOG = Logger.getLogger(DeviceCleanup.class);
    private static final Duration EVERY = Duration.ofMinutes(1);
    /** An expired authorization is kept this long, so a late poll still learns it expired (not that it is unknown). */
    static final Duration KEPT_AFTER_EXPIRY = Duration.ofMinutes(10);
    /** Rows deleted per statement, so one cleanup never holds many locks for long. */
    static final int BATCH = 5_000;

    private final DeviceAuthorizationRepository authorizations;
    private final DeviceBudgets budgets;
    private final Clock clock;
    private long timer = -1;
    private volatile boolean running;

    DeviceCleanup(DeviceAuthorizationRepository authorizations, DeviceBudgets budgets, Clock clock) {
        this.authorizations = authorizations;
        this.budgets = budgets;
        this.clock = clock;
    }

    void start(@Observes StartupEvent event, Vertx vertx) {
        timer = vertx.setPeriodic(EVERY.toMillis(), id -> {
            if (running) {
                return;
            }
            running = true;
            cleanup().subscribe().with(n -> {
                running = false;
                LOG.debugf("Removed %d expired device authorizations and budget counters", n);
            }, failure -> {
                running = false;
                LOG.debugf("Cleanup of device authorizations failed: %s", failure.getClass().getName());
            });
        });
    }

    /** Removes what is due; the number of rows removed. */
    Uni<Integer> cleanup() {
        return expired(0).flatMap(n -> budgets.forgetPastWindows().map(m -> n + m));
    }

    private Uni<Integer> expired(int sofar) {
        return authorizations.deleteExpired(clock.instant().minus(KEPT_AFTER_EXPIRY), BATCH)
                .flatMap(n -> n < BATCH ? Uni.createFrom().item(sofar + n) : expired(sofar + n));
    }

    void stop(@Observes ShutdownEvent event, Vertx vertx) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }
}
