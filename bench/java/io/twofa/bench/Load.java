package io.twofa.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import io.twofa.totp.Totp;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * Closed-loop load generator (a separate process from the service): C virtual users, each sends its next request
 * when the previous one is answered, over C keep-alive HTTP/1.1 connections of one Vert.x event loop. Latency is
 * from send to the end of the response body; all latencies of the measured window are kept and sorted.
 * <p>
 * Phases (first argument), settings as system properties:
 * <ul>
 * <li>{@code verify}: POST /api/v1/auth/verify with a challenge token and the current TOTP code, each account
 * (from..to-1) used once; {@code c}, {@code warmup}, {@code duration} seconds.</li>
 * <li>{@code verify-rounds}: the accounts 0..pool-1, each once per round; between rounds (untimed) their replay
 * marker is reset over JDBC, so a small account table can be measured for as long as a large one.</li>
 * <li>{@code login}: POST /api/v1/auth/login (password step, enrolled accounts: second_factor_required).</li>
 * <li>{@code full}: login then verify with the challenge token it returned: one complete two-factor login.</li>
 * <li>{@code login-flood}: {@code login}, while another client, bound to the source address {@code floodFrom}
 * (127.0.0.2), sends logins of unknown accounts on {@code floodC} connections as fast as they are answered
 * (issue 14: real users at a clean address during a flood); also prints the real users' success rate and what the
 * flood got back.</li>
 * <li>{@code verify-open}, {@code full-open}: {@code verify} and {@code full} at a fixed arrival rate ({@code rate} per
 * second), open loop: requests are sent on schedule whether or not earlier ones have been answered, and latency is
 * measured from the scheduled send time, so queueing in the service (or in this client) is not hidden.</li>
 * </ul>
 * Prints {@code name: value} lines: {@code <metric>_rps<suffix>}, {@code _p50_ms}, {@code _p99_ms}, {@code _errors}.
 */
public final class Load {

    static final String PASSWORD_BODY = ",\"password\":\"" + BenchAccounts.PASSWORD + "\",\"client\":\"web\"}";

    final String host = System.getProperty("host", "127.0.0.1");
    final int port = Integer.getInteger("port", 8383);
    final int c = Integer.getInteger("c", 16);
    final double warmup = Double.parseDouble(System.getProperty("warmup", "3"));
    final double duration = Double.parseDouble(System.getProperty("duration", "10"));
    /** Printed as {@code <metric>_rps<suffix>}, {@code <metric>_p50_ms<suffix>}, … */
    final String suffix = System.getProperty("suffix", "");
    final String name = System.getProperty("metric", "verify") + suffix;
    final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
            .setBlockedThreadCheckInterval(60_000));
    final HttpClient http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost(host).setDefaultPort(port)
            .setKeepAlive(true).setTcpNoDelay(true), new PoolOptions().setHttp1MaxSize(c).setMaxWaitQueueSize(-1));

    /** Every unit of work completed by this process, warm-up included (for CPU time per request). */
    static final AtomicLong TOTAL = new AtomicLong();

    public static void main(String[] args) throws Exception {
        Load load = new Load();
        try {
            switch (args[0]) {
                case "verify" -> load.verify();
                case "verify-rounds" -> load.verifyRounds();
                case "login" -> load.login();
                case "full" -> load.full();
                case "login-flood" -> load.loginFlood();
                case "verify-open" -> load.verifyOpen();
                case "full-open" -> load.fullOpen();
                default -> throw new IllegalArgumentException(args[0]);
            }
            String totalFile = System.getProperty("totalFile");
            if (totalFile != null) {
                java.nio.file.Files.writeString(Path.of(totalFile), TOTAL.get() + "\n");
            }
        } finally {
            load.http.close();
            load.vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** A response: status and body. */
    record Reply(int status, String body) {
    }

    Future<Reply> post(String path, String bearer, String json) {
        return post(openHttp != null ? openHttp : http, path, bearer, json);
    }

    static Future<Reply> post(HttpClient http, String path, String bearer, String json) {
        RequestOptions o = new RequestOptions().setMethod(HttpMethod.POST).setURI(path)
                .putHeader("content-type", "application/json").putHeader("accept", "application/json");
        if (bearer != null) {
            o.putHeader("authorization", "Bearer " + bearer);
        }
        return http.request(o).compose(req -> req.send(Buffer.buffer(json)))
                .compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(), b.toString())));
    }

    /** One unit of work of a virtual user: completes with true when it succeeded. */
    interface Work {
        Future<Boolean> run(long n);
    }

    /** Results of a measured window. */
    static final class Window {
        final long[] lat;
        final int count;
        final long ok;
        final long failed;
        final double seconds;

        Window(long[] lat, int count, long ok, long failed, double seconds) {
            this.lat = lat;
            this.count = count;
            this.ok = ok;
            this.failed = failed;
            this.seconds = seconds;
        }

        double rps() {
            return ok / seconds;
        }

        double pct(double p) {
            if (count == 0) {
                return Double.NaN;
            }
            int i = (int) Math.ceil(p / 100.0 * count) - 1;
            return lat[Math.max(0, Math.min(count - 1, i))] / 1e6;
        }
    }

    /** The answers of one phase, as they arrive on the event loop: latencies and outcomes of its measured window. */
    final class Tally {
        private long[] lat = new long[1 << 16];
        private int count;
        private long ok;
        private long failed;
        private long errorsShown;
        long answered;

        /** One answer for account n; counted in the window when {@code measured}, with its latency. */
        void add(long n, AsyncResult<Boolean> ar, boolean measured, long latencyNanos) {
            answered++;
            boolean success = ar.succeeded() && ar.result();
            if (!success && errorsShown++ < 3) {
                System.err.println("[" + name + "] failed request for account " + n + ": "
                        + (ar.failed() ? ar.cause() : "unexpected response"));
            }
            if (measured) {
                if (count == lat.length) {
                    lat = Arrays.copyOf(lat, lat.length * 2);
                }
                lat[count++] = latencyNanos;
                if (success) {
                    ok++;
                } else {
                    failed++;
                }
            }
        }

        Window window(double seconds) {
            TOTAL.addAndGet(answered);
            long[] l = Arrays.copyOf(lat, count);
            Arrays.sort(l);
            return new Window(l, count, ok, failed, seconds);
        }
    }

    /**
     * Runs C virtual users on the event loop for warmup + duration seconds; units that complete inside the
     * measured window count (latency of each, rps = successes / window length). {@code next} hands out account
     * numbers (negative: none left, the user stops).
     */
    Window closedLoop(LongSupplier next, Work work, double warmupS, double durationS) throws Exception {
        long start = System.nanoTime();
        long measureFrom = start + (long) (warmupS * 1e9);
        long measureTo = measureFrom + (long) (durationS * 1e9);
        Tally tally = new Tally();
        CompletableFuture<Void> done = new CompletableFuture<>();
        int[] running = { c };
        vertx.runOnContext(v -> {
            for (int u = 0; u < c; u++) {
                new Object() {
                    void step() {
                        long now = System.nanoTime();
                        long n = now >= measureTo ? -1 : next.getAsLong();
                        if (n < 0) {
                            if (--running[0] == 0) {
                                done.complete(null);
                            }
                            return;
                        }
                        work.run(n).onComplete(ar -> {
                            long end = System.nanoTime();
                            tally.add(n, ar, end >= measureFrom && end <= measureTo, end - now);
                            step();
                        });
                    }
                }.step();
            }
        });
        done.get((long) (warmupS + durationS + 120), TimeUnit.SECONDS);
        return tally.window(durationS);
    }

    /**
     * Open loop: request i is due at start + i / rate; a 1 ms timer sends every due request (on its own connection
     * pool, large enough that no request waits for a connection it would not wait for in a real fleet of clients).
     * Requests due inside the measured window count; latency is from the due time to the end of the answer.
     * Fails the run (exit 3) when the accounts run out, and reports how far behind schedule this client fell.
     */
    Window openLoop(double rate, long from, long to, Work work, double warmupS, double durationS) throws Exception {
        HttpClient pool = vertx.createHttpClient(new HttpClientOptions().setDefaultHost(host).setDefaultPort(port)
                .setKeepAlive(true).setTcpNoDelay(true), new PoolOptions().setHttp1MaxSize(512).setMaxWaitQueueSize(-1));
        HttpClient saved = openHttp;
        openHttp = pool;
        long total = (long) Math.ceil(rate * (warmupS + durationS));
        if (to - from < total) {
            System.err.printf("[%s] %d accounts for %d requests at %.1f/s: too few%n", name, to - from, total, rate);
            System.exit(3);
        }
        long start = System.nanoTime() + 50_000_000L;
        long measureFrom = start + (long) (warmupS * 1e9);
        long measureTo = measureFrom + (long) (durationS * 1e9);
        Tally tally = new Tally();
        long[] sent = { 0 };
        long[] maxLag = { 0 };
        CompletableFuture<Void> done = new CompletableFuture<>();
        vertx.runOnContext(v -> vertx.setPeriodic(1, id -> {
            long now = System.nanoTime();
            while (sent[0] < total) {
                long i = sent[0];
                long due = start + (long) (i * 1e9 / rate);
                if (due > now) {
                    break;
                }
                sent[0]++;
                maxLag[0] = Math.max(maxLag[0], now - due);
                boolean inWindow = due >= measureFrom && due < measureTo;
                long n = from + i;
                work.run(n).onComplete(ar -> {
                    tally.add(n, ar, inWindow, System.nanoTime() - due);
                    if (tally.answered == total) {
                        done.complete(null);
                    }
                });
            }
            if (sent[0] == total) {
                vertx.cancelTimer(id);
            }
        }));
        done.get((long) (warmupS + durationS + 120), TimeUnit.SECONDS);
        openHttp = saved;
        pool.close();
        System.err.printf(Locale.ROOT, "[%s] open loop at %.1f/s: %d requests, sent at most %.2f ms behind schedule%n", name,
                rate, total, maxLag[0] / 1e6);
        System.out.printf(Locale.ROOT, "%s_open_send_lag_max_ms%s: %.2f%n", name.replace(suffix, ""), suffix, maxLag[0] / 1e6);
        return tally.window(durationS);
    }

    /** The client of the open-loop phases while one runs (else the closed loop's). */
    HttpClient openHttp;

    // ---- verify ------------------------------------------------------------------------------------------------

    /** Challenge tokens for accounts from..to-1, made with the service's own TokenService and key (2 threads). */
    static String[] mint(long from, long to) throws Exception {
        BenchTokens tokens = new BenchTokens(Path.of(System.getProperty("signingKeys")), Path.of(System.getProperty("secretKeys")));
        String[] out = new String[(int) (to - from)];
        int threads = 2;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<java.util.concurrent.Future<?>> parts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int tt = t;
            parts.add(pool.submit(() -> {
                for (int i = tt; i < out.length; i += threads) {
                    out[i] = tokens.challenge(BenchAccounts.accountId(from + i), BenchAccounts.login(from + i));
                }
            }));
        }
        for (var f : parts) {
            f.get();
        }
        pool.shutdown();
        return out;
    }

    static String code(long n) {
        return Totp.code(BenchAccounts.secret(n), Instant.now());
    }

    Future<Boolean> verifyOne(String challenge, long n) {
        return post("/api/v1/auth/verify", challenge, "{\"code\":\"" + code(n) + "\"}")
                .map(r -> r.status() == 200 && r.body().contains("\"access_token\""));
    }

    void verify() throws Exception {
        long from = Long.getLong("from");
        // tokens are minted before the run (outside the measured window): as many as the phase can use at most
        long to = Math.min(Long.getLong("to"), from + Long.getLong("tokens", Long.MAX_VALUE / 4));
        long t0 = System.nanoTime();
        String[] tokens = mint(from, to);
        System.err.printf("[%s] minted %d challenge tokens in %.1f s%n", name, tokens.length, (System.nanoTime() - t0) / 1e9);
        AtomicLong cursor = new AtomicLong(from);
        Window w = closedLoop(range(cursor, to), n -> verifyOne(tokens[(int) (n - from)], n), warmup, duration);
        report(w, "verify");
        refuseIfExhausted(cursor, from, to);
    }

    /**
     * The pool's accounts, each once per round, rounds until {@code duration} seconds of measured rounds have passed
     * (after at least {@code warmRounds} unmeasured rounds and {@code warmup} seconds); a round still running at the deadline is cut there. Between rounds,
     * untimed, the replay marker of the pool's authenticators is reset and the pool's spent challenges forgotten, so the
     * next round's codes and challenges are accepted again.
     */
    void verifyRounds() throws Exception {
        int pool = Integer.getInteger("pool", 1000);
        int warmRounds = Integer.getInteger("warmRounds", 1);
        String[] tokens = mint(0, pool);
        try (Connection db = DriverManager.getConnection(System.getProperty("jdbc"), System.getProperty("user"),
                System.getProperty("password"));
                PreparedStatement reset = db.prepareStatement("update authenticator set last_used_step = -1 where id >= ?::uuid"
                        + " and id <= ?::uuid and last_used_step <> -1");
                PreparedStatement unspend = db.prepareStatement("delete from spent_challenge")) {
            reset.setString(1, BenchAccounts.authenticatorId(0).toString());
            reset.setString(2, BenchAccounts.authenticatorId(pool - 1).toString());
            reset.executeUpdate();
            long[] all = new long[0];
            long ok = 0;
            long failed = 0;
            double seconds = 0;
            int rounds = 0;
            long warmUntil = System.nanoTime() + (long) (warmup * 1e9);
            boolean warming = true;
            for (int r = 0; warming || seconds < duration - 1e-3; r++) {
                // unmeasured rounds until both warmRounds and warmup seconds have passed
                warming = warming && (r < warmRounds || System.nanoTime() < warmUntil);
                boolean measured = !warming;
                double budget = measured ? duration - seconds : 600;
                AtomicLong cursor = new AtomicLong(0);
                long t0 = System.nanoTime();
                Window w = closedLoop(range(cursor, pool), n -> verifyOne(tokens[(int) n], n), 0, budget);
                double s = Math.min(budget, (System.nanoTime() - t0) / 1e9);
                if (measured) {
                    int at = all.length;
                    all = Arrays.copyOf(all, at + w.count);
                    System.arraycopy(w.lat, 0, all, at, w.count);
                    ok += w.ok;
                    failed += w.failed;
                    seconds += s;
                    rounds++;
                }
                // untimed: make every account and challenge of the pool usable again for the next round
                reset.executeUpdate();
                unspend.executeUpdate();
            }
            System.err.printf(Locale.ROOT, "[%s] %d measured rounds of %d accounts%n", name, rounds, pool);
            Arrays.sort(all);
            report(new Window(all, all.length, ok, failed, seconds), "verify");
        }
    }

    // ---- login and full flow -----------------------------------------------------------------------------------

    Future<Reply> loginOne(long n) {
        return post("/api/v1/auth/login", null, "{\"login\":\"" + BenchAccounts.login(n) + "\"" + PASSWORD_BODY);
    }

    void login() throws Exception {
        long from = Long.getLong("from");
        long to = Long.getLong("to");
        // -Dcycle=true (the JIT warm-up): the accounts again and again; the password step changes nothing in them
        boolean cycle = Boolean.getBoolean("cycle");
        AtomicLong cursor = new AtomicLong(from);
        Window w = closedLoop(() -> {
            long n = cursor.getAndIncrement();
            return cycle ? from + (n - from) % (to - from) : n < to ? n : -1;
        }, n -> loginOne(n).map(r -> r.status() == 200 && r.body().contains("\"second_factor_required\"")), warmup, duration);
        report(w, "login");
        if (!cycle) {
            refuseIfExhausted(cursor, from, to);
        }
        System.out.printf(Locale.ROOT, "login_success_rate%s: %.4f%n", suffix, w.ok / (double) Math.max(1, w.ok + w.failed));
    }

    void loginFlood() throws Exception {
        String floodFrom = System.getProperty("floodFrom", "127.0.0.2");
        int floodC = Integer.getInteger("floodC", 64);
        Vertx floodVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
                .setBlockedThreadCheckInterval(60_000));
        HttpClient flood = floodVertx.createHttpClient(new HttpClientOptions().setDefaultHost(host).setDefaultPort(port)
                .setKeepAlive(true).setTcpNoDelay(true).setLocalAddress(floodFrom),
                new PoolOptions().setHttp1MaxSize(floodC).setMaxWaitQueueSize(-1));
        java.util.concurrent.atomic.AtomicBoolean flooding = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.Map<Integer, AtomicLong> statuses = new java.util.concurrent.ConcurrentHashMap<>();
        AtomicLong sent = new AtomicLong();
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        int[] running = { floodC };
        String tag = Long.toString(System.nanoTime(), 36);
        long floodStart = System.nanoTime();
        floodVertx.runOnContext(v -> {
            for (int u = 0; u < floodC; u++) {
                new Object() {
                    void step() {
                        if (!flooding.get()) {
                            if (--running[0] == 0) {
                                stopped.complete(null);
                            }
                            return;
                        }
                        String body = "{\"login\":\"flood-" + tag + "-" + sent.incrementAndGet() + "\",\"password\":\"guess\"}";
                        post(flood, "/api/v1/auth/login", null, body).onComplete(ar -> {
                            statuses.computeIfAbsent(ar.succeeded() ? ar.result().status() : -1, k -> new AtomicLong())
                                    .incrementAndGet();
                            step();
                        });
                    }
                }.step();
            }
        });
        try {
            long from = Long.getLong("from");
            long to = Long.getLong("to");
            AtomicLong cursor = new AtomicLong(from);
            Window w = closedLoop(range(cursor, to), n -> loginOne(n).map(r -> r.status() == 200 && r.body().contains("\"second_factor_required\"")), warmup,
                    duration);
            report(w, "login");
            refuseIfExhausted(cursor, from, to);
            System.out.printf(Locale.ROOT, "login_success_rate%s: %.4f%n", suffix, w.ok / (double) Math.max(1, w.ok + w.failed));
        } finally {
            flooding.set(false);
            stopped.get(120, TimeUnit.SECONDS);
            double seconds = (System.nanoTime() - floodStart) / 1e9;
            long answered = statuses.values().stream().mapToLong(AtomicLong::get).sum();
            System.err.printf(Locale.ROOT, "[%s] flood from %s: %d requests in %.1f s, statuses %s (-1: no answer)%n", name,
                    floodFrom, answered, seconds, new java.util.TreeMap<>(statuses));
            System.out.printf(Locale.ROOT, "login_flood_rps%s: %.1f%n", suffix, answered / seconds);
            for (int status : new int[] { 401, 429, 503 }) {
                System.out.printf("login_flood_%d%s: %d%n", status, suffix,
                        statuses.getOrDefault(status, new AtomicLong()).get());
            }
            flood.close();
            floodVertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    void full() throws Exception {
        long from = Long.getLong("from");
        long to = Long.getLong("to");
        AtomicLong cursor = new AtomicLong(from);
        Window w = closedLoop(range(cursor, to), this::fullOne, warmup, duration);
        report(w, "full_flow");
        refuseIfExhausted(cursor, from, to);
    }

    /** One complete two-factor login of account n: the password step, then the TOTP code with its challenge token. */
    Future<Boolean> fullOne(long n) {
        return loginOne(n).compose(r -> {
            String challenge = jsonString(r.body(), "challenge_token");
            if (r.status() != 200 || challenge == null) {
                return Future.succeededFuture(false);
            }
            return verifyOne(challenge, n);
        });
    }

    /** {@code verify} at {@code rate} per second (open loop), challenge tokens minted beforehand. */
    void verifyOpen() throws Exception {
        double rate = Double.parseDouble(System.getProperty("rate"));
        long from = Long.getLong("from");
        long to = Math.min(Long.getLong("to"), from + (long) Math.ceil(rate * (warmup + duration)) + 1);
        String[] tokens = mint(from, to);
        Window w = openLoop(rate, from, to, n -> verifyOne(tokens[(int) (n - from)], n), warmup, duration);
        report(w, "verify");
        System.out.printf(Locale.ROOT, "verify_rate%s: %.1f%n", suffix, rate);
    }

    /** {@code full} (password step, then the TOTP code) at {@code rate} per second (open loop). */
    void fullOpen() throws Exception {
        double rate = Double.parseDouble(System.getProperty("rate"));
        Window w = openLoop(rate, Long.getLong("from"), Long.getLong("to"), this::fullOne, warmup, duration);
        report(w, "full_flow");
        System.out.printf(Locale.ROOT, "full_flow_rate%s: %.1f%n", suffix, rate);
    }

    /** Hands out the accounts from the cursor's start up to {@code to} - 1, then -1 (none left: the user stops). */
    static LongSupplier range(AtomicLong cursor, long to) {
        return () -> {
            long n = cursor.getAndIncrement();
            return n < to ? n : -1;
        };
    }

    /**
     * A closed-loop phase whose accounts ran out before its window ended would report a lower rate than the service
     * reached: the run fails instead (exit 3), with what to change.
     */
    void refuseIfExhausted(AtomicLong cursor, long from, long to) {
        if (cursor.get() >= to) {
            System.err.printf("[%s] ran out of accounts (%d, from %d) before the measured window ended: "
                    + "give the benchmark more accounts (BENCH_ACCOUNTS)%n", name, to - from, from);
            System.exit(3);
        }
    }

    static String jsonString(String json, String field) {
        String key = "\"" + field + "\":\"";
        int i = json.indexOf(key);
        if (i < 0) {
            return null;
        }
        int from = i + key.length();
        int end = json.indexOf('"', from);
        return end < 0 ? null : json.substring(from, end);
    }

    void report(Window w, String metric) {
        System.err.printf(Locale.ROOT, "[%s] %d ok, %d failed in %.1f s; p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                name, w.ok, w.failed, w.seconds, w.pct(50), w.pct(90), w.pct(99), w.pct(100));
        if (w.failed > 0) {
            System.err.printf("[%s] WARNING: %d requests failed%n", name, w.failed);
        }
        System.out.printf(Locale.ROOT, "%s_rps%s: %.1f%n", metric, suffix, w.rps());
        System.out.printf(Locale.ROOT, "%s_p50_ms%s: %.2f%n", metric, suffix, w.pct(50));
        System.out.printf(Locale.ROOT, "%s_p99_ms%s: %.2f%n", metric, suffix, w.pct(99));
        System.out.printf(Locale.ROOT, "%s_errors%s: %d%n", metric, suffix, w.failed);
    }
}
