package io.twofa.operations;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.twofa.operations.Api.Enrolled;
import io.twofa.operations.Api.Reply;

/**
 * The service on an external PostgreSQL ({@link OpsPostgresResource}) that goes away while requests flow and comes
 * back on the same data directory and port. Also checks, before the outage, the operational surface that every
 * request has: the request id (header, audit rows) and the metrics.
 */
@Tag("slow")
@QuarkusTest
@TestProfile(OpsProfile.Outage.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DatabaseOutageTest {

    private static final Duration BOUND = Duration.ofSeconds(10);
    /** readinessProbe.timeoutSeconds in deploy/kubernetes.yaml: a probe that takes longer has failed. */
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(9);
    private static final int PROBE_TIMED_OUT = -1;
    /** The request deadline (twofa.database.request-timeout, 8 s) plus a margin for a loaded machine. */
    private static final Duration DEADLINE_BOUND = Duration.ofSeconds(11);
    private static String a;
    /** The management interface (health, metrics): its own port, not the public one. */
    private static String management;
    private static String admin;

    @BeforeAll
    static void setUp() {
        a = "http://localhost:" + ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        management = "http://localhost:" + ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class);
        admin = Api.adminToken(a);
        // a Client User (exempt from two-factor): every login of it issues an access token
        Api.createUser(a, admin, "frank", "correct-horse-frank", "client");
        Api.requireTwoFactor(a, admin);
    }

    @Test
    @Order(1)
    void everyRequestHasAnIdThatReachesTheAuditTrail() {
        Reply chosen = Api.send(a, "/api/v1/auth/login", "POST", null,
                Map.of("login", "nobody-here", "password", "x"), Map.of("X-Request-Id", "ops-test.req_1"));
        assertThat(chosen.status()).isEqualTo(401);
        assertThat(chosen.requestId()).isEqualTo("ops-test.req_1");

        for (String unfit : List.of("has space", "semi;colon", "x".repeat(65), "ünïcode")) {
            Reply replaced = Api.send(a, "/api/v1/auth/login", "POST", null,
                    Map.of("login", "nobody-here", "password", "x"), Map.of("X-Request-Id", unfit));
            assertThat(replaced.requestId()).as("for %s", unfit)
                    .matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        }
        Reply generated = Api.get(a, "/q/openapi", null);
        assertThat(generated.requestId()).as("also outside the API").isNotBlank();

        Reply events = Api.get(a, "/api/v1/audit-events?login=nobody-here&type=login_failed&limit=200", admin);
        assertThat(events.status()).isEqualTo(200);
        List<String> ids = events.body().get("events").findValuesAsText("request_id");
        assertThat(ids).contains("ops-test.req_1").doesNotContain("has space").hasSize(5);
    }

    @Test
    @Order(2)
    void metricsCountEventsWithoutNamingAccounts() {
        Enrolled hank = Api.createAndEnrol(a, a, admin, "hank");
        String challenge = Api.challenge(a, hank);
        assertThat(Api.post(a, "/api/v1/auth/verify", challenge, Map.of("code", Api.wrongCode(hank.secret()))).status())
                .isEqualTo(401);
        assertThat(Api.post(a, "/api/v1/auth/verify", challenge, Map.of("backup_code", hank.backupCodes().get(0))).status())
                .isEqualTo(200);

        String metrics = metrics();
        assertThat(counter(metrics, "twofa_events_total{factor=\"none\",type=\"enrolled\"}")).isGreaterThanOrEqualTo(1);
        assertThat(counter(metrics, "twofa_events_total{factor=\"totp\",type=\"second_factor_failed\"}")).isGreaterThanOrEqualTo(1);
        assertThat(counter(metrics, "twofa_events_total{factor=\"backup_code\",type=\"second_factor_succeeded\"}"))
                .isGreaterThanOrEqualTo(1);
        assertThat(counter(metrics, "twofa_events_total{factor=\"backup_code\",type=\"backup_code_used\"}")).isGreaterThanOrEqualTo(1);
        assertThat(counter(metrics, "twofa_events_total{factor=\"none\",type=\"login_failed\"}")).isGreaterThanOrEqualTo(5);
        assertThat(counter(metrics, "twofa_login_seconds_count{outcome=\"success\"}")).isGreaterThanOrEqualTo(1);
        assertThat(counter(metrics, "twofa_verify_seconds_count{outcome=\"rejected\"}")).isGreaterThanOrEqualTo(1);
        assertThat(counter(metrics, "twofa_verify_seconds_count{outcome=\"success\"}")).isGreaterThanOrEqualTo(1);
        assertThat(metrics).as("no account names, ids or codes in labels")
                .doesNotContain("hank").doesNotContain("frank").doesNotContain("nobody-here").doesNotContain("ops-test.req_1");
    }

    @Test
    @Order(3)
    void anOutageIsAnswered503AndTheServiceRecoversByItself() throws Exception {
        assertThat(OpsPostgres.running()).as("the test controls the database server").isTrue();
        Enrolled carol = Api.createAndEnrol(a, a, admin, "carol");
        Enrolled dave = Api.createAndEnrol(a, a, admin, "dave");
        Enrolled gina = Api.createAndEnrol(a, a, admin, "gina");
        // three failures for dave before the outage: the counter must survive it
        String daveChallenge = Api.challenge(a, dave);
        for (int i = 0; i < 3; i++) {
            assertThat(Api.post(a, "/api/v1/auth/verify", daveChallenge, Map.of("code", Api.wrongCode(dave.secret()))).status())
                    .isEqualTo(401);
        }
        String carolChallenge = Api.challenge(a, carol);
        String ginaChallenge = Api.challenge(a, gina);

        // requests flow: logins of a client-role account (a token each time) and failing second factors
        record Seen(Instant sent, Reply reply) {
        }
        ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
        AtomicBoolean flowing = new AtomicBoolean(true);
        ExecutorService flow = Executors.newFixedThreadPool(2);
        flow.submit(() -> {
            for (int i = 0; i < 2000 && flowing.get(); i++) {
                Instant sent = Instant.now();
                seen.add(new Seen(sent, Api.login(a, "frank", "correct-horse-frank")));
            }
        });
        flow.submit(() -> {
            for (int i = 0; i < 2000 && flowing.get(); i++) {
                Instant sent = Instant.now();
                seen.add(new Seen(sent, Api.post(a, "/api/v1/auth/verify", ginaChallenge,
                        Map.of("code", Api.wrongCode(gina.secret())))));
            }
        });
        Thread.sleep(1500);

        OpsPostgres.stop();
        Instant down = Instant.now();
        Thread.sleep(1000);

        Reply ready = Api.get(management, "/q/health/ready", null);
        assertThat(ready.status()).as("readiness: %s", ready.body()).isEqualTo(503);
        assertThat(ready.text("status")).isEqualTo("DOWN");
        assertThat(ready.took()).isLessThan(BOUND);
        assertThat(Api.get(management, "/q/health/live", null).status()).as("still alive: no restart wanted").isEqualTo(200);

        Reply login = Api.login(a, "frank", "correct-horse-frank");
        assertUnavailable(login);
        Reply verify = Api.post(a, "/api/v1/auth/verify", carolChallenge, Map.of("backup_code", carol.backupCodes().get(0)));
        assertUnavailable(verify);
        Thread.sleep(2000);

        Instant restarting = Instant.now();
        OpsPostgres.start();
        Instant up = Instant.now();
        Duration recovery = null;
        while (Duration.between(up, Instant.now()).compareTo(Duration.ofSeconds(20)) < 0) {
            if (Api.get(management, "/q/health/ready", null).status() == 200) {
                recovery = Duration.between(up, Instant.now());
                break;
            }
            Thread.sleep(200);
        }
        assertThat(recovery).as("ready again after the database came back").isNotNull().isLessThan(BOUND);
        Thread.sleep(1000);
        flowing.set(false);
        flow.shutdown();
        assertThat(flow.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

        // what the flow saw: before the outage tokens and refusals, during it only 503s, never a 500
        List<Seen> all = List.copyOf(seen);
        assertThat(all).as("requests flowed").hasSizeGreaterThan(10);
        assertThat(all).as("never an internal error: %s", all.stream().filter(s -> s.reply().status() >= 500
                && s.reply().status() != 503).map(s -> s.reply().body()).toList())
                .allMatch(s -> List.of(200, 401, 429, 503).contains(s.reply().status()));
        List<Seen> duringOutage = all.stream()
                .filter(s -> s.sent().isAfter(down.plusMillis(200)) && s.sent().isBefore(restarting)).toList();
        assertThat(duringOutage).as("requests during the outage").isNotEmpty();
        System.out.printf("outage: %d requests flowed (%d during the outage, slowest answer then %d ms); ready %d ms after"
                + " PostgreSQL was back; statuses %s%n", all.size(), duringOutage.size(),
                duringOutage.stream().mapToLong(s -> s.reply().took().toMillis()).max().orElse(0), recovery.toMillis(),
                all.stream().collect(java.util.stream.Collectors.groupingBy(s -> s.reply().status(),
                        java.util.TreeMap::new, java.util.stream.Collectors.counting())));
        for (Seen s : duringOutage) {
            assertUnavailable(s.reply());
        }
        assertThat(all.stream().filter(s -> s.sent().isBefore(down)).map(s -> s.reply().status()))
                .as("before the outage the flow was served").contains(200);
        assertThat(all.stream().filter(s -> s.sent().isBefore(down) && s.reply().status() == 200)
                .map(s -> s.reply().text("access_token"))).as("with tokens").doesNotContainNull();

        // after: tokens again, the throttle counter kept (3 + 2 failures, then a wait), the enrolment intact
        Reply again = Api.login(a, "frank", "correct-horse-frank");
        assertThat(again.status()).as("login after: %s", again.body()).isEqualTo(200);
        assertThat(again.text("access_token")).isNotNull();
        for (int i = 0; i < 2; i++) {
            assertThat(Api.post(a, "/api/v1/auth/verify", daveChallenge, Map.of("code", Api.wrongCode(dave.secret()))).status())
                    .as("dave failure %d after the outage", 4 + i).isEqualTo(401);
        }
        assertThat(Api.post(a, "/api/v1/auth/verify", daveChallenge, Map.of("code", Api.wrongCode(dave.secret()))).status())
                .as("the counter from before the outage still counts").isEqualTo(429);

        // the backup code offered during the outage was not used up, and the TOTP secret still verifies
        Reply backup = Api.post(a, "/api/v1/auth/verify", Api.challenge(a, carol),
                Map.of("backup_code", carol.backupCodes().get(0)));
        assertThat(backup.status()).as("carol's backup code after the outage: %s", backup.body()).isEqualTo(200);
        Reply totp = Api.post(a, "/api/v1/auth/verify", Api.challenge(a, carol),
                Map.of("code", Api.totp(carol.secret(), Instant.now().plusSeconds(30))));
        assertThat(totp.status()).as("carol's TOTP after the outage: %s", totp.body()).isEqualTo(200);

        assertThat(counter(metrics(), "twofa_login_seconds_count{outcome=\"unavailable\"}")).isGreaterThanOrEqualTo(1);
    }

    @Test
    @Order(4)
    void aDatabaseThatStopsAnsweringIsAnswered503InBoundedTime() throws Exception {
        // frozen (SIGSTOP): connections stay open and nothing answers, as behind a network that drops packets;
        // no client timeout fires on an open connection, the request deadline does
        Enrolled ivan = Api.createAndEnrol(a, a, admin, "ivan");
        String challenge = Api.challenge(a, ivan);
        assertThat(Api.login(a, "frank", "correct-horse-frank").status()).isEqualTo(200);
        OpsPostgres.signal("STOP");
        Instant thawing;
        try {
            ExecutorService parallel = Executors.newFixedThreadPool(4);
            try {
                var login = parallel.submit(() -> Api.login(a, "frank", "correct-horse-frank"));
                var verify = parallel.submit(() -> Api.post(a, "/api/v1/auth/verify", challenge,
                        Map.of("backup_code", ivan.backupCodes().get(0))));
                var probe = parallel.submit(() -> probe(management + "/q/health/ready"));
                var ready = parallel.submit(() -> Api.get(management, "/q/health/ready", null));
                assertUnavailable(login.get());
                assertUnavailable(verify.get());
                // the request deadline covers the management port too: readiness says 503 within it, before the
                // kubelet's probe timeout (the manifest's 9 s), so the probe fails with a 503, never a 200
                int probed = probe.get();
                Reply readiness = ready.get();
                System.out.printf("frozen database: login 503 in %d ms, verify 503 in %d ms, readiness 503 in %d ms"
                        + " (a probe with a %d s timeout: %s)%n", login.get().took().toMillis(),
                        verify.get().took().toMillis(), readiness.took().toMillis(), PROBE_TIMEOUT.toSeconds(),
                        probed == PROBE_TIMED_OUT ? "timed out" : String.valueOf(probed));
                assertThat(probed).as("the readiness probe fails with 503").isEqualTo(503);
                assertThat(readiness.status()).as("readiness: %s", readiness.body()).isEqualTo(503);
                assertThat(readiness.took()).isLessThan(DEADLINE_BOUND);
            } finally {
                parallel.shutdownNow();
            }
        } finally {
            thawing = Instant.now();
            OpsPostgres.signal("CONT");
        }
        Duration recovery = null;
        while (Duration.between(thawing, Instant.now()).compareTo(Duration.ofSeconds(20)) < 0) {
            if (Api.get(management, "/q/health/ready", null).status() == 200) {
                recovery = Duration.between(thawing, Instant.now());
                break;
            }
            Thread.sleep(200);
        }
        assertThat(recovery).as("ready again after the database answers again").isNotNull().isLessThan(BOUND);
        System.out.printf("frozen database: ready %d ms after it answered again%n", recovery.toMillis());
        Reply again = Api.login(a, "frank", "correct-horse-frank");
        assertThat(again.status()).as("login after: %s", again.body()).isEqualTo(200);
        // the backup code offered while frozen may or may not have been used once the server resumed (the
        // answer was 503 either way, without a token); the next one works
        Reply verified = Api.post(a, "/api/v1/auth/verify", Api.challenge(a, ivan),
                Map.of("backup_code", ivan.backupCodes().get(1)));
        assertThat(verified.status()).as("verify after: %s", verified.body()).isEqualTo(200);
    }

    private static void assertUnavailable(Reply reply) {
        assertThat(reply.status()).as("during the outage: %s", reply.body()).isEqualTo(503);
        assertThat(reply.contentType()).startsWith("application/problem+json");
        assertThat(reply.body().get("status").asInt()).isEqualTo(503);
        assertThat(reply.text("access_token")).isNull();
        assertThat(reply.text("challenge_token")).isNull();
        assertThat(reply.took()).isLessThan(BOUND);
    }

    /** An HTTP probe as the kubelet makes it: the status, or {@link #PROBE_TIMED_OUT} after {@link #PROBE_TIMEOUT}. */
    private static int probe(String url) throws Exception {
        try {
            return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(url)).timeout(PROBE_TIMEOUT).build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.net.http.HttpTimeoutException e) {
            return PROBE_TIMED_OUT;
        }
    }

    /** The Prometheus text; events are counted as their requests end, a moment after the answer left. */
    private static String metrics() {
        try {
            Thread.sleep(200);
            var http = java.net.http.HttpClient.newHttpClient();
            return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(management + "/q/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static double counter(String metrics, String series) {
        return metrics.lines().filter(l -> l.startsWith(series + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(series.length() + 1).trim()))
                .orElseThrow(() -> new AssertionError("no series " + series));
    }
}
