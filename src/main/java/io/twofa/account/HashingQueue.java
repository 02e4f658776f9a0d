package io.twofa.account;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.WorkerExecutor;

/**
 * Bounds the work of password checks (docs/throttling.md, "Bounded work"). Vert.x's worker queue itself is unbounded:
 * without bounds a flood queues hashes that finish long after their clients gave up, and real users wait behind them.
 * <ul>
 * <li>Checks in progress (reserving their attempt, waiting to hash, hashing): at most {@code 4 x capacity} in all and
 * {@code capacity} per client address; beyond, a check is refused at once, before any database work. The per-address
 * share keeps one flooding address from taking every place while its attempts are refused.</li>
 * <li>Hashes waiting or running: a check the throttle admitted {@link #tryEnter() enters} only while fewer than
 * {@code capacity} do; otherwise it is refused (busy) after all.</li>
 * </ul>
 */
final class HashingQueue {

    private final WorkerExecutor executor;
    private final int capacity;
    private final AtomicInteger hashes = new AtomicInteger();
    private final AtomicInteger checks = new AtomicInteger();
    private final ConcurrentHashMap<String, Integer> checksByAddress = new ConcurrentHashMap<>();

    HashingQueue(WorkerExecutor executor, int capacity) {
        this.executor = executor;
        this.capacity = capacity;
    }

    /** Admits a check from an address if there is room; every admitted check must {@link #end(String) end} once. */
    boolean tryBegin(String address) {
        if (!increment(checks, 4 * capacity)) {
            return false;
        }
        boolean[] admitted = { false };
        checksByAddress.compute(address, (key, n) -> {
            int now = n == null ? 0 : n;
            if (now >= capacity) {
                return n;
            }
            admitted[0] = true;
            return now + 1;
        });
        if (!admitted[0]) {
            checks.decrementAndGet();
        }
        return admitted[0];
    }

    void end(String address) {
        checksByAddress.computeIfPresent(address, (key, n) -> n <= 1 ? null : n - 1);
        checks.decrementAndGet();
    }

    /** Whether a check admitted now would find no room to hash (a hint: the attempt then counts as busy). */
    boolean full() {
        return hashes.get() >= capacity;
    }

    /** Takes a place for one hash if there is room; every place taken must be {@link #leave() left} exactly once. */
    boolean tryEnter() {
        return increment(hashes, capacity);
    }

    void leave() {
        hashes.decrementAndGet();
    }

    /** Hashes waiting or running now. */
    int size() {
        return hashes.get();
    }

    /** Runs CPU-bound work on the hashing threads (unordered: checks of one event loop run in parallel). */
    <T> Uni<T> run(Supplier<T> work) {
        return executor.executeBlocking(Uni.createFrom().item(work), false);
    }

    private static boolean increment(AtomicInteger counter, int limit) {
        while (true) {
            int n = counter.get();
            if (n >= limit) {
                return false;
            }
            if (counter.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }
}
