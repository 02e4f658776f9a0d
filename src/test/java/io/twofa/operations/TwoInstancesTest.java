package io.twofa.operations;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.twofa.operations.Api.Enrolled;
import io.twofa.operations.Api.Reply;

/**
 * Two service instances on one PostgreSQL: instance A is this test's Quarkus application, instance B a second JVM
 * ({@link SecondInstance}); both use the PostgreSQL server {@link OpsPostgresResource} started, and the same key
 * directories. Whatever one instance decides, the other must honour: tokens, single use of backup codes, and the
 * second-factor throttle.
 */
@Tag("slow")
@QuarkusTest
@TestProfile(OpsProfile.TwoInstances.class)
class TwoInstancesTest {

    private static SecondInstance second;
    private static String a;
    private static String b;
    private static String admin;

    @TestHTTPResource("/")
    URL root;

    @BeforeAll
    static void startSecondInstance() throws Exception {
        var config = ConfigProvider.getConfig();
        Path keys = Path.of(config.getValue("twofa.token.keys-dir", String.class)).getParent();
        second = SecondInstance.start(config.getValue("quarkus.datasource.reactive.url", String.class),
                config.getValue("quarkus.datasource.jdbc.url", String.class), keys);
        b = second.baseUrl();
        a = "http://localhost:" + config.getValue("quarkus.http.test-port", Integer.class);
        admin = Api.adminToken(a);
        Api.requireTwoFactor(a, admin);
    }

    @AfterAll
    static void stopSecondInstance() throws Exception {
        if (second != null) {
            second.close();
        }
    }

    @Test
    void aTokenIssuedByOneInstanceVerifiesOnTheOther() {
        assertThat(root.getPort()).as("instance A is this test's application").isEqualTo(Integer.parseInt(a.replaceAll(".*:", "")));
        assertThat(Api.get(a, "/.well-known/jwks.json", null).body())
                .as("both publish the same keys").isEqualTo(Api.get(b, "/.well-known/jwks.json", null).body());

        // the admin token A issued (before two-factor became required) is accepted by B
        assertThat(Api.get(b, "/api/v1/me", admin).status()).isEqualTo(200);

        // whole two-factor logins across both. Password on A, backup code on B, the token used on A:
        Enrolled carol = Api.createAndEnrol(a, b, admin, "carol");
        Reply verifiedOnB = Api.post(b, "/api/v1/auth/verify", Api.challenge(a, carol),
                Map.of("backup_code", carol.backupCodes().get(0)));
        assertThat(verifiedOnB.status()).as("verify on B: %s", verifiedOnB.body()).isEqualTo(200);
        Reply meOnA = Api.get(a, "/api/v1/me", verifiedOnB.text("access_token"));
        assertThat(meOnA.status()).as("me on A: %s", meOnA.body()).isEqualTo(200);
        assertThat(meOnA.body().toString()).contains("carol");
        // password on B, TOTP on A (the secret was sealed by B with the shared key), the token used on B
        Reply verifiedOnA = Api.post(a, "/api/v1/auth/verify", Api.challenge(b, carol),
                Map.of("code", Api.totp(carol.secret(), Instant.now().plusSeconds(30))));
        assertThat(verifiedOnA.status()).as("TOTP on A: %s", verifiedOnA.body()).isEqualTo(200);
        Reply meOnB = Api.get(b, "/api/v1/me", verifiedOnA.text("access_token"));
        assertThat(meOnB.status()).as("me on B: %s", meOnB.body()).isEqualTo(200);
        assertThat(meOnB.body().toString()).contains("carol");
    }

    @Test
    void oneBackupCodeRacedAcrossBothInstancesSucceedsExactlyOnce() throws Exception {
        Enrolled dave = Api.createAndEnrol(b, a, admin, "dave");
        String challenge = Api.challenge(a, dave);
        String code = dave.backupCodes().get(1);
        int requests = 20;
        ExecutorService pool = Executors.newFixedThreadPool(requests);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Reply>> replies = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                String instance = i % 2 == 0 ? a : b;
                replies.add(pool.submit(() -> {
                    go.await();
                    return Api.post(instance, "/api/v1/auth/verify", challenge, Map.of("backup_code", code));
                }));
            }
            go.countDown();
            List<Integer> statuses = new ArrayList<>();
            int tokens = 0;
            for (Future<Reply> reply : replies) {
                Reply r = reply.get();
                statuses.add(r.status());
                if (r.text("access_token") != null) {
                    tokens++;
                }
            }
            Map<Integer, Long> byStatus = statuses.stream().collect(Collectors.groupingBy(s -> s, Collectors.counting()));
            System.out.println("backup code raced over two instances: " + byStatus);
            assertThat(byStatus.get(200)).as("successes among %s", byStatus).isEqualTo(1L);
            assertThat(tokens).as("access tokens issued").isEqualTo(1);
            assertThat(byStatus.keySet()).as("the others are refused, never an error: %s", byStatus)
                    .allMatch(s -> s == 200 || s == 401 || s == 429);
        } finally {
            pool.shutdownNow();
        }
        Reply status = Api.get(b, "/api/v1/users/dave", admin);
        assertThat(status.body().toString()).as("dave: %s", status.body())
                .contains(String.valueOf(dave.backupCodes().size() - 1));
    }

    @Test
    void throttlingIsCountedAcrossBothInstances() {
        Enrolled erin = Api.createAndEnrol(a, b, admin, "erin");
        String challenge = Api.challenge(b, erin);
        String wrong = Api.wrongCode(erin.secret());
        String[] alternate = { a, b, a, b, a };
        for (int i = 0; i < alternate.length; i++) {
            Reply failed = Api.post(alternate[i], "/api/v1/auth/verify", challenge, Map.of("code", wrong));
            assertThat(failed.status()).as("failure %d on %s: %s", i + 1, alternate[i], failed.body()).isEqualTo(401);
        }
        // the sixth attempt waits on either instance, and its code is not even evaluated (a right one would pass)
        Reply sixth = Api.post(b, "/api/v1/auth/verify", challenge,
                Map.of("code", Api.totp(erin.secret(), Instant.now().plusSeconds(30))));
        assertThat(sixth.status()).as("sixth on B: %s", sixth.body()).isEqualTo(429);
        assertThat(sixth.text("access_token")).isNull();
        Reply seventh = Api.post(a, "/api/v1/auth/verify", challenge, Map.of("code", wrong));
        assertThat(seventh.status()).as("seventh on A: %s", seventh.body()).isEqualTo(429);
    }
}
