package io.twofa.account;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
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
 * <li>Hashes waiting or running: a check the throttle admitted {@link #tryEnter enters} only while fewer than
 * {@code capacity} do; otherwise it is refused (busy) after all.</li>
 * </ul>
 * Checks and hashes whose client has gone away count in neither bound: they end without hashing, and right after a
 * flood of abandoned requests a real user is not refused because of them. (A client that hangs up after sending costs
 * one statement, as a throttled attempt does.)
 */
final class HashingQueue {

    private final WorkerExecutor executor;
    private final int capacity;
    /** The hashes waiting or running, each with the question whether its client is gone. */
    private final Set<BooleanSupplier> hashes = ConcurrentHashMap.newKeySet();
    /** The checks in progress: their client address, and whether their client is gone. */
    private final Set<Check> checks = ConcurrentHashMap.newKeySet();

    /** A check in progress (identity: each is its own). */
    static final class Check {
        final String address;
        final BooleanSupplier gone;

        Check(String address, BooleanSupplier gone) {
            this.address = address;
            this.gone = gone;
        }
    }

    HashingQueue(WorkerExecutor executor, int capacity) {
        this.executor = executor;
        this.capacity = capacity;
    }

    /** Admits a check from an address if there is room: its place, to {@link #end end} once; null when there is none. */
    Check tryBegin(String address, BooleanSupplier gone) {
        // counted and added without a lock: a few concurrent checks may overshoot a little
        int all = 0;
        int fromAddress = 0;
        for (Check check : checks) {
            if (!check.gone.getAsBoolean()) {
                all++;
                if (check.address.equals(address)) {
                    fromAddress++;
                }
            }
        }
        if (all >= 4 * capacity || fromAddress >= capacity) {
            return null;
        }
        Check check = new Check(address, gone);
        checks.add(check);
        return check;
    }

    void end(Check check) {
        checks.remove(check);
    }

    /** Whether a check admitted now would find no room to hash (a hint: the attempt then counts as busy). */
    boolean full() {
        return size() >= capacity;
    }

    /**
     * Takes a place for one hash if there is room; the place taken (its {@code gone} itself, a distinct object per
     * check) must be {@link #leave left} exactly once.
     */
    boolean tryEnter(BooleanSupplier gone) {
        // checked and added without a lock: a few concurrent entries may overshoot, never beyond the checks in progress
        if (size() >= capacity) {
            return false;
        }
        hashes.add(gone);
        return true;
    }

    void leave(BooleanSupplier gone) {
        hashes.remove(gone);
    }

    /** Hashes waiting or running now whose client is still there. */
    int size() {
        int live = 0;
        for (BooleanSupplier gone : hashes) {
            if (!gone.getAsBoolean()) {
                live++;
            }
        }
        return live;
    }

    /** Runs CPU-bound work on the hashing threads (unordered: checks of one event loop run in parallel). */
    <T> Uni<T> run(Supplier<T> work) {
        return executor.executeBlocking(Uni.createFrom().item(work), false);
    }
}
