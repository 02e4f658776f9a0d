package io.twofa.account;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.WorkerExecutor;

/**
 * Bounds the password checks in progress: at most {@code capacity} admitted at once (hashing, waiting for a hashing
 * thread, or reserving their attempt just before). Vert.x's worker queue itself is unbounded: without this bound a
 * flood queues hashes that finish long after their clients gave up, and real users wait behind them. A check that
 * finds the queue full is refused at once (503), before any database work.
 */
final class HashingQueue {

    private final WorkerExecutor executor;
    private final int capacity;
    private final AtomicInteger admitted = new AtomicInteger();

    HashingQueue(WorkerExecutor executor, int capacity) {
        this.executor = executor;
        this.capacity = capacity;
    }

    /** Admits one check if there is room; every admitted check must {@link #leave()} exactly once. */
    boolean tryEnter() {
        while (true) {
            int n = admitted.get();
            if (n >= capacity) {
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

    int capacity() {
        return capacity;
    }

    /** Runs CPU-bound work on the hashing threads (unordered: checks of one event loop run in parallel). */
    <T> Uni<T> run(Supplier<T> work) {
        return executor.executeBlocking(Uni.createFrom().item(work), false);
    }
}
