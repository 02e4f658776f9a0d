package io.twofa.account;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.WorkerExecutor;

/**
 * Bounds the password hashes waiting or running. Vert.x's worker queue itself is unbounded: without this bound a flood
 * queues hashes that finish long after their clients gave up, and real users wait behind them.
 * <p>
 * A check first asks {@link #full()} (before any database work: refused at once when {@code capacity} hashes wait or
 * run); once the throttle has admitted its attempt it {@link #tryEnter() enters}, which succeeds up to twice the
 * capacity: checks admitted by the throttle in the same burst may overshoot the capacity, never the double.
 */
final class HashingQueue {

    private final WorkerExecutor executor;
    private final int capacity;
    private final AtomicInteger admitted = new AtomicInteger();

    HashingQueue(WorkerExecutor executor, int capacity) {
        this.executor = executor;
        this.capacity = capacity;
    }

    /** Whether a new check should be refused at once. */
    boolean full() {
        return admitted.get() >= capacity;
    }

    /** Takes a place for one hash if there is room; every place taken must be {@link #leave() left} exactly once. */
    boolean tryEnter() {
        while (true) {
            int n = admitted.get();
            if (n >= 2 * capacity) {
                return false;
            }
            if (admitted.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    void leave() {
        admitted.decrementAndGet();
    }

    /** Runs CPU-bound work on the hashing threads (unordered: checks of one event loop run in parallel). */
    <T> Uni<T> run(Supplier<T> work) {
        return executor.executeBlocking(Uni.createFrom().item(work), false);
    }
}
