package io.twofa.database;

import java.time.Duration;
import java.util.function.IntFunction;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;

/**
 * A periodic removal of expired rows on each instance (the deletes are idempotent, so instances need not agree): a run
 * never starts while the previous one is still going, and a failed run is only logged, the next one tries again.
 */
public final class PeriodicCleanup {

    private static final Logger LOG = Logger.getLogger(PeriodicCleanup.class);

    private final String what;
    private final Supplier<Uni<Integer>> run;
    private long timer = -1;
    private volatile boolean running;

    /** {@code run} removes what is due and answers how many rows it removed; {@code what} names them in the log. */
    public PeriodicCleanup(String what, Supplier<Uni<Integer>> run) {
        this.what = what;
        this.run = run;
    }

    public void start(Vertx vertx, Duration every) {
        timer = vertx.setPeriodic(Math.max(100, every.toMillis()), id -> {
            if (running) {
                return;
            }
            running = true;
            run.get().subscribe().with(n -> {
                running = false;
                if (n > 0) {
                    LOG.debugf("Removed %d %s", n, what);
                }
            }, failure -> {
                running = false;
                LOG.debugf("Cleanup of %s failed: %s", what, failure.getClass().getName());
            });
        });
    }

    public void stop(Vertx vertx) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    /**
     * Runs a batched delete ({@code deleteBatch} removes at most {@code batch} rows and answers how many) until a batch
     * removes fewer, so one statement never holds many locks for long; the number of rows removed in all.
     */
    public static Uni<Integer> inBatches(IntFunction<Uni<Integer>> deleteBatch, int batch) {
        return inBatches(deleteBatch, batch, 0);
    }

    private static Uni<Integer> inBatches(IntFunction<Uni<Integer>> deleteBatch, int batch, int sofar) {
        return deleteBatch.apply(batch)
                .flatMap(n -> n < batch ? Uni.createFrom().item(sofar + n) : inBatches(deleteBatch, batch, sofar + n));
    }
}
