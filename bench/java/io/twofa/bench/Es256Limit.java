package io.twofa.bench;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;


/**
 * The CPU bound of the token work in a verify, with no HTTP and no database: per second, how many times
 * {@code threads} threads can check a challenge token and sign an access token with the service's own
 * TokenService (SmallRye JWT), keys and JCA providers: one HS256 check (challenge tokens are MACed with an
 * unpublished key) and one ES256 signature, as every successful verify does. Until the challenge tokens became
 * HS256 this was one ES256 check and one ES256 signature, hence the metric's name, kept for comparison.
 */
public final class Es256Limit {

    public static void main(String[] args) throws Exception {
        int threads = Integer.getInteger("threads", Runtime.getRuntime().availableProcessors());
        double warmup = Double.parseDouble(System.getProperty("warmup", "2"));
        double duration = Double.parseDouble(System.getProperty("duration", "5"));
        BenchTokens tokens = new BenchTokens(Path.of(System.getProperty("signingKeys")), Path.of(System.getProperty("secretKeys")));
        String[] challenges = new String[256];
        for (int i = 0; i < challenges.length; i++) {
            challenges[i] = tokens.challenge(BenchAccounts.accountId(i), BenchAccounts.login(i));
        }
        long from = System.nanoTime() + (long) (warmup * 1e9);
        long to = from + (long) (duration * 1e9);
        AtomicLong done = new AtomicLong();
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int tt = t;
            workers[t] = new Thread(() -> {
                for (int i = tt;; i++) {
                    tokens.secondStep(challenges[i % challenges.length]);
                    long now = System.nanoTime();
                    if (now > to) {
                        return;
                    }
                    if (now >= from) {
                        done.incrementAndGet();
                    }
                }
            });
            workers[t].start();
        }
        for (Thread w : workers) {
            w.join();
        }
        System.out.printf(Locale.ROOT, "es256_limit_per_s: %.1f%n", done.get() / duration);
    }
}
