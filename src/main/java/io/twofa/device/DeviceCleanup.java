package io.twofa.device;

import java.time.Clock;
import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.twofa.database.PeriodicCleanup;
import io.vertx.mutiny.core.Vertx;

/**
 * Deletes device authorizations some time after they expire, and forgets the counters of past budget windows, every
 * minute, so neither table grows with time. Every instance runs it; the deletes are idempotent.
 */
@ApplicationScoped
class DeviceCleanup {

    private static final Duration EVERY = Duration.ofMinutes(1);
    /** An expired authorization is kept this long, so a late poll still learns it expired (not that it is unknown). */
    static final Duration KEPT_AFTER_EXPIRY = Duration.ofMinutes(10);
    /** Rows deleted per statement, so one cleanup never holds many locks for long. */
    static final int BATCH = 5_000;

    private final DeviceAuthorizationRepository authorizations;
    private final DeviceBudgets budgets;
    private final Clock clock;
    private final PeriodicCleanup periodic = new PeriodicCleanup("expired device authorizations and budget counters",
            this::cleanup);

    DeviceCleanup(DeviceAuthorizationRepository authorizations, DeviceBudgets budgets, Clock clock) {
        this.authorizations = authorizations;
        this.budgets = budgets;
        this.clock = clock;
    }

    void start(@Observes StartupEvent event, Vertx vertx) {
        periodic.start(vertx, EVERY);
    }

    /** Removes what is due; the number of rows removed. */
    Uni<Integer> cleanup() {
        return PeriodicCleanup.inBatches(
                batch -> authorizations.deleteExpired(clock.instant().minus(KEPT_AFTER_EXPIRY), batch), BATCH)
                .flatMap(n -> budgets.forgetPastWindows().map(m -> n + m));
    }

    void stop(@Observes ShutdownEvent event, Vertx vertx) {
        periodic.stop(vertx);
    }
}
