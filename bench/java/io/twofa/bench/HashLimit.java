package io.twofa.bench;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

import io.twofa.crypto.PasswordHasher;

/**
 * The physical limit of the password step: how many Argon2id checks per second this machine does with the
 * accounts' parameters ({@link BenchAccounts#hasher()}: production m=19456 KiB, t=2, p=1 unless {@code -Dargon2}),
 * via the service's own {@link PasswordHasher#verify}, on {@code threads} threads, with no HTTP and no database. Runs
 * {@code warmup} then {@code duration} seconds. Also prints the thread time of one check ({@code hash_ms_per_check}),
 * which the bench subtracts from the service's CPU per login to get the cost of the password step beyond the hash.
 */
public final class HashLimit {

    public static void main(String[] args) throws Exception {
        int threads = Integer.getInteger("threads", Runtime.getRuntime().availableProcessors());
        double warmup = Double.parseDouble(System.getProperty("warmup", "2"));
        double duration = Double.parseDouble(System.getProperty("duration", "8"));
        String name = System.getProperty("name", "hash_limit_per_s");
        PasswordHasher hasher = BenchAccounts.hasher();
        String stored = hasher.hash(BenchAccounts.PASSWORD);
        // JIT warm-up on one thread first (many threads in the interpreter would take a long time to get compiled code)
        long warmEnd = System.nanoTime() + (long) (warmup * 1e9);
        while (System.nanoTime() < warmEnd) {
            hasher.verify(BenchAccounts.PASSWORD, stored);
        }
        long start = System.nanoTime();
        // then every thread runs for another 2 s before the window, so the window starts in steady state
        long from = start + 2_000_000_000L;
        long to = from + (long) (duration * 1e9);
        AtomicLong done = new AtomicLong();
        Thread[] workers = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            workers[i] = new Thread(() -> {
                while (true) {
                    long t0 = System.nanoTime();
                    if (t0 >= to) {
                        return;
                    }
                    if (!hasher.verify(BenchAccounts.PASSWORD, stored)) {
                        throw new IllegalStateException("hash mismatch");
                    }
                    long t1 = System.nanoTime();
                    if (t1 >= from && t1 <= to) {
                        done.incrementAndGet();
                    }
                }
            });
            workers[i].start();
        }
        for (Thread t : workers) {
            t.join();
        }
        double rate = done.get() / duration;
        System.err.printf(Locale.ROOT, "[%s] %d Argon2id checks on %d threads in %.1f s (%.1f ms each per thread)%n", name,
                done.get(), threads, duration, threads * 1000.0 / Math.max(rate, 1e-9));
        System.out.printf(Locale.ROOT, "%s: %.1f%n", name, rate);
        System.out.printf(Locale.ROOT, "hash_ms_per_check: %.3f%n", threads * 1000.0 / Math.max(rate, 1e-9));
    }
}
