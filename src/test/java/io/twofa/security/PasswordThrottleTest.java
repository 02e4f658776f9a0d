package io.twofa.security;

import static io.twofa.support.Api.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.twofa.support.Api;
import io.twofa.support.Db;
import io.twofa.support.FromAddress;
import io.twofa.support.FromAddress.Reply;
import io.twofa.support.ResetsSharedState;
import io.twofa.support.TestClock;

/**
 * The password throttle of issue 14 (docs/throttling.md), with clients at distinct loopback addresses: no one who
 * lacks the password keeps the user out; distributed guessing stays under the per-login ceiling; forwarding headers of
 * a client that is no trusted proxy are ignored; unknown logins leave a bounded number of rows; admins give relief.
 * Each test uses its own addresses (127.0.N.x), since address budgets are shared by every test of the run.
 */
@QuarkusTest
class PasswordThrottleTest extends ResetsSharedState {

    private static long audit(String login, String type) {
        return Db.count("select count(*) from audit_event where lower(subject_login) = lower(?) and type = ?", login, type);
    }

    private static List<Object> sourcesOf(String login, String type) {
        return Db.column("select distinct source_ip from audit_event where lower(subject_login) = lower(?) and type = ? "
                + "order by 1", login, type);
    }

    private static long retryAfter(Reply r) {
        assertThat(r.header("Retry-After")).as("Retry-After of %s", r.body()).isNotNull();
        return Long.parseLong(r.header("Retry-After"));
    }

    @Test
    void anAttackerAtOneAddressNeverKeepsTheUserAtAnotherOut() {
        String attacker = "127.0.10.1";
        String user = "127.0.10.2";
        String login = Api.createUser("user");
        int evaluated = 0;
        int refused = 0;
        while (evaluated < 50) {
            Reply guess = FromAddress.login(attacker, login, "guess-" + evaluated);
            if (guess.status() == 429) {
                refused++;
                assertThat(guess.header("Content-Type")).startsWith("application/problem+json");
                // the attacker waits as told, then goes on guessing
                TestClock.advance(Duration.ofSeconds(retryAfter(guess)));
            } else {
                assertThat(guess.status()).as("guess %d: %s", evaluated, guess.body()).isEqualTo(401);
                evaluated++;
            }
            Reply owner = FromAddress.login(user, login, PASSWORD);
            assertThat(owner.status()).as("the user after %d wrong passwords from another address: %s", evaluated, owner.body())
                    .isEqualTo(200);
            assertThat(owner.json().getString("status")).isEqualTo("authenticated");
            assertThat(owner.millis()).as("the user is let in at once").isLessThan(3000);
        }
        assertThat(refused).as("the attacker's own address was made to wait").isGreaterThanOrEqualTo(45);
        assertThat(audit(login, "login_failed")).isEqualTo(50);
        assertThat(audit(login, "login_throttled")).isEqualTo(refused);
        // the audit trail shows who was throttled and from where
        assertThat(sourcesOf(login, "login_throttled")).containsExactly(attacker);
        assertThat(sourcesOf(login, "login_succeeded")).containsExactly(user);
        assertThat(Db.column("select distinct detail from audit_event where lower(subject_login) = lower(?) and type = ?",
                login, "login_throttled")).containsExactly("login at this address");
    }

    @Test
    void forwardingHeadersFromAClientThatIsNoTrustedProxyAreIgnored() {
        String client = "127.0.11.1";
        String login = Api.createUser("user");
        for (int i = 0; i < 5; i++) {
            // a client claiming to be someone new each time, with either header
            Map<String, String> spoofed = Map.of("X-Forwarded-For", "127.0.11." + (10 + i), "Forwarded", "for=127.0.11." + (30 + i));
            Reply r = FromAddress.login(client, login, "wrong", spoofed, Duration.ofSeconds(30));
            assertThat(r.status()).as("failure %d: %s", i + 1, r.body()).isEqualTo(401);
        }
        Reply sixth = FromAddress.login(client, login, "wrong", Map.of("X-Forwarded-For", "127.0.11.99"), Duration.ofSeconds(30));
        assertThat(sixth.status()).as("counted under the socket's address whatever the header says: %s", sixth.body())
                .isEqualTo(429);
        assertThat(sourcesOf(login, "login_failed")).containsExactly(client);
        assertThat(sourcesOf(login, "login_throttled")).containsExactly(client);
        // the header's address is not throttled by it either: it is just another client
        assertThat(FromAddress.login("127.0.11.99", login, PASSWORD).status()).isEqualTo(200);
    }

    @Test
    void distributedGuessingFrom20AddressesIsEvaluatedAtMostUpToTheCeilingPlusOnePerSlot() {
        String login = Api.createUser("user");
        String home = "127.0.12.200";
        assertThat(FromAddress.login(home, login, PASSWORD).status()).as("the owner's usual address").isEqualTo(200);
        List<String> attackers = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            attackers.add("127.0.12." + i);
        }
        for (int round = 1; round <= 12; round++) {
            for (String address : attackers) {
                Reply r = FromAddress.login(address, login, "guess-" + round + "-" + address);
                assertThat(r.status()).as("round %d from %s: %s", round, address, r.body()).isIn(401, 429);
            }
            assertThat(FromAddress.login(home, login, PASSWORD).status()).as("the owner at home, round %d", round)
                    .isEqualTo(200);
            TestClock.advance(Duration.ofMinutes(16));
        }
        // five each from 20 addresses fill the ceiling of 100; every later guess from them is refused unevaluated
        assertThat(audit(login, "login_failed")).isEqualTo(100);
        assertThat(audit(login, "login_throttled")).isEqualTo(140);

        // over the ceiling, an address that has not failed yet gets one evaluation per 15-minute slot
        Reply slot = FromAddress.login("127.0.12.101", login, "fresh-1");
        assertThat(slot.status()).as("the slot: %s", slot.body()).isEqualTo(401);
        Reply next = FromAddress.login("127.0.12.102", login, "fresh-2");
        assertThat(next.status()).isEqualTo(429);
        assertThat(retryAfter(next)).isBetween(890L, 900L);
        // a user at a new address competes for the slot too (docs/throttling.md); at home it is let in at once
        assertThat(FromAddress.login("127.0.12.103", login, PASSWORD).status()).isEqualTo(429);
        assertThat(FromAddress.login(home, login, PASSWORD).status()).isEqualTo(200);
        TestClock.advance(Duration.ofSeconds(retryAfter(next)));
        assertThat(FromAddress.login("127.0.12.102", login, "fresh-2").status()).isEqualTo(401);
        assertThat(FromAddress.login("127.0.12.101", login, "fresh-1 again").status())
                .as("an address that failed over the ceiling waits for the window").isEqualTo(429);
        assertThat(audit(login, "login_failed")).isEqualTo(102);
        assertThat(Db.column("select distinct detail from audit_event where lower(subject_login) = lower(?) and type = ?",
                login, "login_throttled")).containsExactly("login ceiling");
    }

    /** Waits until all {@code n} requests of a burst are sent but their last byte: they then reach the server together. */
    private static Runnable together(int n) {
        java.util.concurrent.CyclicBarrier barrier = new java.util.concurrent.CyclicBarrier(n);
        return () -> {
            try {
                barrier.await(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        };
    }

    @Test
    void aParallelBurstFromOneAddressIsCountedExactlyAndOnlyWhereEvaluated() throws Exception {
        String login = Api.createUser("user");
        Runnable release = together(32);
        List<Reply> replies = parallel(32, i -> FromAddress.login("127.0.14.1", login, "burst-" + i, Map.of(),
                Duration.ofSeconds(30), release));
        assertThat(replies.stream().filter(r -> r.status() == 401).count()).isEqualTo(5);
        assertThat(replies.stream().filter(r -> r.status() == 429).count()).isEqualTo(27);
        assertThat(audit(login, "login_failed")).isEqualTo(5);
        // refused attempts count nowhere: not in the address budget, not in the login's ceiling
        assertThat(Db.count("select failures from attempt_counter where scope = 'pw_address' and subject = '127.0.14.1'"))
                .isEqualTo(5);
        assertThat(Db.count("select cardinality(recent) from attempt_counter where scope = 'pw_login' and subject = lower(?)",
                login)).isEqualTo(5);
    }

    /**
     * Attempts that queue on the same counters (here held by another transaction, as a slow concurrent attempt would)
     * are decided on what the attempts before them counted, not on the state when they started: exactly the free
     * attempts are evaluated, and the refused ones are counted nowhere.
     */
    @Test
    void attemptsQueuedOnTheSameCountersAreDecidedOnTheLatestCounts() throws Exception {
        String login = Api.createUser("user");
        String from = "127.0.14.2";
        assertThat(FromAddress.login(from, login, "first").status()).isEqualTo(401);
        List<Reply> replies;
        try (java.sql.Connection db = Db.connect()) {
            db.setAutoCommit(false);
            try (var lock = db.prepareStatement("select 1 from attempt_counter where scope = 'pw_address' and subject = ? for update")) {
                lock.setString(1, from);
                lock.executeQuery();
            }
            ExecutorService pool = Executors.newFixedThreadPool(12);
            try {
                List<Future<Reply>> futures = new ArrayList<>();
                for (int i = 0; i < 12; i++) {
                    int k = i;
                    futures.add(pool.submit(() -> FromAddress.login(from, login, "queued-" + k)));
                }
                Thread.sleep(1500);
                db.commit();
                replies = new ArrayList<>();
                for (Future<Reply> f : futures) {
                    replies.add(f.get(60, TimeUnit.SECONDS));
                }
            } finally {
                pool.shutdownNow();
            }
        }
        assertThat(replies.stream().filter(r -> r.status() == 401).count()).as("evaluated after the first").isEqualTo(4);
        assertThat(audit(login, "login_failed")).isEqualTo(5);
        assertThat(Db.count("select failures from attempt_counter where scope = 'pw_address' and subject = ?", from))
                .as("the address budget counts the evaluated attempts only").isEqualTo(5);
        assertThat(Db.count("select cardinality(recent) from attempt_counter where scope = 'pw_login' and subject = lower(?)",
                login)).as("so does the login's ceiling").isEqualTo(5);
    }

    @Test
    void aParallelBurstFrom25AddressesGetsAtMostTheCeilingPlusOneSlot() throws Exception {
        String login = Api.createUser("user");
        Runnable release = together(125);
        List<Reply> replies = parallel(125, i -> FromAddress.login("127.0.16." + (1 + i % 25), login, "burst-" + i, Map.of(),
                Duration.ofSeconds(30), release));
        long evaluated = audit(login, "login_failed");
        System.out.printf("burst of 125 from 25 addresses: %d evaluated, statuses %s%n", evaluated, replies.stream()
                .collect(java.util.stream.Collectors.groupingBy(Reply::status, java.util.TreeMap::new, java.util.stream.Collectors.counting())));
        assertThat(evaluated).as("evaluated of 125 (25 addresses x 5)").isBetween(100L, 101L);
        assertThat(replies.stream().filter(r -> r.status() == 401).count()).isEqualTo(evaluated);
    }

    @Test
    void theAddressBudgetStopsOneAddressSprayingManyLoginsButNotTheOwnersAtTheirKnownAddress() {
        String office = "127.0.15.1";
        String colleague = Api.createUser("user");
        String newcomer = Api.createUser("user");
        assertThat(FromAddress.login(office, colleague, PASSWORD).status()).isEqualTo(200);
        String spray = "spray-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        for (int i = 0; i < 50; i++) {
            assertThat(FromAddress.login(office, spray + i, "password1").status()).as("spray %d", i).isEqualTo(401);
        }
        Reply over = FromAddress.login(office, spray + "50", "password1");
        assertThat(over.status()).as("the 51st failure from one address: %s", over.body()).isEqualTo(429);
        assertThat(retryAfter(over)).isBetween(29L, 30L);
        assertThat(Db.column("select detail from audit_event where subject_login = ? and type = 'login_throttled'",
                spray + "50")).containsExactly("address budget");
        // the same address, for a login it is not known for: waits too
        assertThat(FromAddress.login(office, newcomer, PASSWORD).status()).isEqualTo(429);
        // a login at one of its known addresses is outside the budget
        assertThat(FromAddress.login(office, colleague, PASSWORD).status()).isEqualTo(200);
        // and another address is not concerned at all
        assertThat(FromAddress.login("127.0.15.2", newcomer, PASSWORD).status()).isEqualTo(200);
    }

    @Test
    void anAdminClearsTheWaitsOfALoginAndItIsAudited() {
        String login = Api.createUser("user");
        String from = "127.0.13.1";
        for (int i = 0; i < 5; i++) {
            assertThat(FromAddress.login(from, login, "wrong").status()).isEqualTo(401);
        }
        assertThat(FromAddress.login(from, login, PASSWORD).status()).isEqualTo(429);
        Api.bearer(Api.adminToken()).get("/api/v1/users/" + login).then().statusCode(200)
                .body("password_throttled_until", org.hamcrest.Matchers.notNullValue());

        // it weakens a defence: only with a recent sign-in (step-up)
        String admin = Api.adminToken();
        TestClock.advance(Duration.ofMinutes(6));
        Api.bearer(admin).delete("/api/v1/users/" + login + "/password-throttle").then().statusCode(403)
                .body("type", org.hamcrest.Matchers.endsWith("step-up-required"));
        assertThat(Db.count("select failures from attempt_counter where scope = 'pw_pair' and subject = ?",
                from + " " + login.toLowerCase())).as("nothing was cleared").isEqualTo(5);
        TestClock.reset();

        Api.bearer(Api.adminToken()).delete("/api/v1/users/" + login.toUpperCase() + "/password-throttle").then().statusCode(204);

        assertThat(FromAddress.login(from, login, PASSWORD).status()).as("after the relief").isEqualTo(200);
        assertThat(Db.column("select actor || '|' || subject_login || '|' || source_ip from audit_event "
                + "where type = 'password_throttle_cleared' and subject_login = ?", login))
                .containsExactly("admin|" + login + "|127.0.0.1");
        Api.bearer(Api.adminToken()).get("/api/v1/users/" + login).then().statusCode(200)
                .body("password_throttled_until", org.hamcrest.Matchers.nullValue());
        Api.bearer(Api.adminToken()).delete("/api/v1/users/nobody-" + UUID.randomUUID() + "/password-throttle").then()
                .statusCode(404).contentType("application/problem+json");
        String userToken = Api.login(Api.createUser("user"), PASSWORD).getString("access_token");
        Api.bearer(userToken).delete("/api/v1/users/" + login + "/password-throttle").then().statusCode(403)
                .contentType("application/problem+json");
    }

    @Test
    void tenThousandDistinctUnknownLoginsLeaveABoundedNumberOfRowsAndNoneAfterTheCleanup() throws Exception {
        String prefix = "ghost-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        String[] addresses = { "127.0.17.1", "127.0.17.2", "127.0.17.3", "127.0.17.4" };
        AtomicInteger unexpected = new AtomicInteger();
        List<Reply> replies = parallel(10_000, i -> {
            Reply r = FromAddress.login(addresses[i % addresses.length], prefix + i, "password1");
            if (r.status() != 401 && r.status() != 429) {
                unexpected.incrementAndGet();
            }
            return r;
        });
        assertThat(unexpected.get()).as("only 401 and 429").isZero();
        long evaluated = replies.stream().filter(r -> r.status() == 401).count();
        long rows = Db.count("select count(*) from attempt_counter where subject like ?", "%" + prefix + "%");
        long addressRows = Db.count("select count(*) from attempt_counter where scope = 'pw_address' and subject like '127.0.17.%'");
        System.out.printf("10000 unknown logins from 4 addresses: %d evaluated, %d counter rows of their logins, %d address rows%n",
                evaluated, rows, addressRows);
        // each address gets its 50 free failures (and one more per wait that ends while the flood lasts): the bound of
        // docs/throttling.md is 1 + 2 x evaluated rows per address, here well under 4 x (1 + 2 x 60)
        assertThat(evaluated).isBetween(200L, 240L);
        assertThat(rows).isEqualTo(2 * evaluated);
        assertThat(addressRows).isEqualTo(4);

        // a day later (the counters' lifetime) the periodic cleanup has removed them all
        TestClock.advance(Duration.ofHours(24).plusMinutes(1));
        long left = -1;
        for (int i = 0; i < 50 && left != 0; i++) {
            Thread.sleep(200);
            left = Db.count("select count(*) from attempt_counter where subject like ? or subject like '127.0.17.%'",
                    "%" + prefix + "%");
        }
        assertThat(left).as("rows left after the cleanup interval").isZero();
    }

    interface Call {
        Reply run(int i) throws Exception;
    }

    /** {@code n} calls on 32 threads (or {@code n} threads, up to 125, so that a burst can wait at a barrier). */
    private static List<Reply> parallel(int n, Call call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n <= 125 ? n : 32);
        try {
            List<Future<Reply>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int index = i;
                futures.add(pool.submit(() -> call.run(index)));
            }
            List<Reply> replies = new ArrayList<>();
            for (Future<Reply> f : futures) {
                replies.add(f.get(120, TimeUnit.SECONDS));
            }
            return replies;
        } finally {
            pool.shutdownNow();
        }
    }
}
