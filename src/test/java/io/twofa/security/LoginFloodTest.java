package io.twofa.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.twofa.support.Api;
import io.twofa.support.Db;
import io.twofa.support.FromAddress;
import io.twofa.support.FromAddress.Reply;

/**
 * A login flood against a service with production Argon2id parameters (issue 14): 400 concurrent logins to unknown
 * accounts whose clients give up after 0.3 s. The hashing queue's bound answers the excess 503 at once, abandoned
 * checks are dropped before their hash, and a real user is served right after.
 * <p>
 * Each defence is visible on its own in the password-check metric: without the bound nothing is refused as busy;
 * without the drop every admitted check is hashed.
 */
@QuarkusTest
@TestProfile(LoginFloodTest.Flood.class)
@Tag("slow")
class LoginFloodTest {

    public static class Flood implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // production hashing and the default queue (8 per hashing thread); two hashing threads whatever the machine
            return Map.of("twofa.crypto.argon2-memory-kib", "19456", "twofa.crypto.argon2-iterations", "2",
                    "twofa.crypto.argon2-threads", "2", "twofa.password-throttle.hash-queue-per-thread", "8");
        }
    }

    static final int FLOOD = 400;
    static final Duration CLIENT_TIMEOUT = Duration.ofMillis(300);

    @Inject
    MeterRegistry registry;

    /** twofa_password_checks_total{outcome}. */
    private double checks(String outcome) {
        return registry.get("twofa.password.checks").tag("outcome", outcome).counter().count();
    }

    private static long loginMillis(String from, String login) {
        Reply r = FromAddress.login(from, login, Api.PASSWORD);
        assertThat(r.status()).as("the real user's login: %s", r.body()).isEqualTo(200);
        return r.millis();
    }

    /** {@code n} logins to unknown accounts at once, from ten addresses {@code 127.0.<net>.1-10}, each giving up at the timeout. */
    private static List<Reply> flood(int n, int net, String prefix) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Reply>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int k = i;
                futures.add(clients.submit(() -> {
                    start.await();
                    return FromAddress.login("127.0." + net + "." + (1 + k % 10), prefix + k, "password1", Map.of(), CLIENT_TIMEOUT);
                }));
            }
            start.countDown();
            List<Reply> replies = new ArrayList<>();
            for (Future<Reply> f : futures) {
                replies.add(f.get(60, TimeUnit.SECONDS));
            }
            return replies;
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void fourHundredAbandonedLoginsNeitherQueueNorHashAndARealUserGetsInAtOnce() throws Exception {
        String user = Api.createUser("user");
        String home = "127.0.18.200";
        // a fresh service: its code paths compiled first (JIT), as on a service that has been running
        for (int round = 0; round < 3; round++) {
            flood(FLOOD, 19 + round, "warm-" + UUID.randomUUID().toString().substring(0, 8) + "-");
            Thread.sleep(3000);
        }
        for (int i = 0; i < 20; i++) {
            loginMillis(home, user);
        }
        long[] before = new long[7];
        for (int i = 0; i < before.length; i++) {
            before[i] = loginMillis(home, user);
        }
        Arrays.sort(before);
        long normal = before[before.length / 2];

        double busyBefore = checks("busy");
        double droppedBefore = checks("dropped");
        double abandonedBefore = checks("abandoned");
        // the flood: 10 addresses, so that no address budget (50) stops it before the hashing queue does
        String prefix = "flood-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        List<Reply> flood = flood(FLOOD, 18, prefix);
        long floodEnded = System.nanoTime();

        // right after: a real user at its usual address gets in, on the first attempt
        long first = loginMillis(home, user);
        System.out.printf("flood of %d: statuses %s (0: the client gave up after %d ms); real user %d ms right after "
                + "(normal %d ms)%n", FLOOD, flood.stream().collect(java.util.stream.Collectors.groupingBy(Reply::status,
                        java.util.TreeMap::new, java.util.stream.Collectors.counting())), CLIENT_TIMEOUT.toMillis(), first, normal);
        assertThat(first).as("the real user's login right after the flood (ms)").isLessThan(3000);
        assertThat(flood).filteredOn(r -> r.status() == 503).allSatisfy(r -> assertThat(r.header("Retry-After")).isEqualTo("1"));

        // back to normal latency within 10 s of the end of the flood
        long recovered = -1;
        while ((System.nanoTime() - floodEnded) < 10_000_000_000L) {
            long t = loginMillis(home, user);
            if (t <= Math.max(2 * normal, normal + 100)) {
                recovered = (System.nanoTime() - floodEnded) / 1_000_000;
                break;
            }
            Thread.sleep(100);
        }
        System.out.printf("normal login latency again %d ms after the flood%n", recovered);
        assertThat(recovered).as("ms until the login latency was normal again").isBetween(0L, 10_000L);

        Thread.sleep(2000);
        double busy = checks("busy") - busyBefore;
        double dropped = checks("dropped") - droppedBefore;
        double abandoned = checks("abandoned") - abandonedBefore;
        long evaluated = Db.count("select count(*) from audit_event where type = 'login_failed' and subject_login like ?",
                prefix + "%");
        System.out.printf("password checks of the flood: %.0f refused at once (queue full), %.0f abandoned before they "
                + "began, %.0f dropped before their hash, %d hashed (audited login_failed)%n", busy, abandoned, dropped, evaluated);
        // the bound: what did not fit was refused at once, without any work
        assertThat(busy).as("checks refused because the hashing queue was full").isGreaterThan(0);
        // the drop: admitted checks whose client had gone by their turn were never hashed
        assertThat(dropped).as("admitted checks dropped before their hash").isGreaterThan(0);
        assertThat(evaluated + dropped + busy + abandoned).as("every flood request is accounted for").isEqualTo((double) FLOOD);
        // what was not evaluated is not counted either: the counters hold exactly the hashed failures
        assertThat(Db.count("select coalesce(sum(failures), 0) from attempt_counter where scope = 'pw_pair' and subject like ?",
                "% " + prefix + "%")).as("failures counted per login and address").isEqualTo(evaluated);
        assertThat(Db.count("select coalesce(sum(cardinality(recent)), 0) from attempt_counter where scope = 'pw_login' "
                + "and subject like ?", prefix + "%")).as("failures in the logins' ceilings").isEqualTo(evaluated);
        // an address's budget also counts the attempts it made while there was no room (see docs/throttling.md)
        assertThat(Db.count("select coalesce(sum(failures), 0) from attempt_counter where scope = 'pw_address' "
                + "and subject like '127.0.18.%' and subject <> '127.0.18.200'")).as("failures in the address budgets")
                .isBetween(evaluated, evaluated + (long) busy);
    }

    /** An answer seen by a test client: when (ms since the start), its status. */
    record Seen(long at, int status) {
    }

    /**
     * The benchmark's scenario (bench/run.sh, "login under a flood"): real users at a clean address keep logging in
     * while one other address floods logins of unknown accounts as fast as it is answered, ignoring Retry-After. The
     * flood costs at most its address budget in hashes (its busy answers count in the budget too); from then on it is
     * refused without holding any place in the hashing queue (and beyond its share of checks in progress, without
     * any database work), and once its few hashes are done the real users are served as if there were no flood.
     */
    @Test
    void realUsersAtACleanAddressAreServedOnceAFloodingAddressHasSpentItsBudget() throws Exception {
        int users = 8;
        List<String> logins = new ArrayList<>();
        for (int i = 0; i < users; i++) {
            logins.add(Api.createUser("user"));
        }
        String prefix = "spray-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong();
        java.util.Queue<Seen> flood = new java.util.concurrent.ConcurrentLinkedQueue<>();
        java.util.Queue<Seen> real = new java.util.concurrent.ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(64 + users);
        long t0 = System.nanoTime();
        List<Future<?>> clients = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            clients.add(pool.submit(() -> {
                while (running.get()) {
                    Reply r = FromAddress.login("127.0.21.1", prefix + sent.incrementAndGet(), "password1", Map.of(),
                            Duration.ofSeconds(20));
                    flood.add(new Seen((System.nanoTime() - t0) / 1_000_000, r.status()));
                }
                return null;
            }));
        }
        for (String login : logins) {
            clients.add(pool.submit(() -> {
                while (running.get()) {
                    Reply r = FromAddress.login("127.0.21.100", login, Api.PASSWORD, Map.of(), Duration.ofSeconds(20));
                    real.add(new Seen((System.nanoTime() - t0) / 1_000_000, r.status()));
                }
                return null;
            }));
        }
        // settled: the flood's last hashed attempt (401) lies 2 s back; its 429 and 503 answers cost no hash
        long settledAt = -1;
        List<Seen> after = List.of();
        while ((System.nanoTime() - t0) < 45_000_000_000L) {
            Thread.sleep(250);
            long now = (System.nanoTime() - t0) / 1_000_000;
            long lastWork = flood.stream().filter(x -> x.status() == 401).mapToLong(Seen::at).max().orElse(0);
            if (now - lastWork > 2000) {
                long from = lastWork + 1000;
                after = real.stream().filter(x -> x.at() > from).toList();
                if (after.size() >= 40) {
                    settledAt = lastWork;
                    break;
                }
            }
        }
        running.set(false);
        for (Future<?> f : clients) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdownNow();
        java.util.Map<Integer, Long> floodStatuses = flood.stream().collect(java.util.stream.Collectors.groupingBy(Seen::status,
                java.util.TreeMap::new, java.util.stream.Collectors.counting()));
        long ok = after.stream().filter(x -> x.status() == 200).count();
        System.out.printf("flood from one address: %s; its last hashed attempt at %d ms; real users after that: %d of %d "
                + "served%n", floodStatuses, settledAt, ok, after.size());
        assertThat(settledAt).as("the flood's attempts were no longer hashed within 45 s").isPositive();
        assertThat(floodStatuses.getOrDefault(401, 0L)).as("hashes the flood cost: its address budget").isLessThanOrEqualTo(51);
        assertThat(ok).as("real users served once the flood is refused").isEqualTo(after.size());
    }
}
