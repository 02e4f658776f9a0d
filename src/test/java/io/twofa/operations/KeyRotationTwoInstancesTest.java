package io.twofa.operations;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.eclipse.microprofile.config.ConfigProvider;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.twofa.crypto.KeyDirectory;
import io.twofa.operations.Api.Enrolled;
import io.twofa.operations.Api.Reply;
import io.twofa.support.Db;
import io.twofa.support.TestClock;
import io.twofa.support.Tokens;
import io.twofa.token.SigningKeys;

/**
 * Signing-key rotation without a restart and without a single 401 (issue 21): two instances on one PostgreSQL and one
 * key directory (instance A is this test's application, B a second JVM, as in {@link TwoInstancesTest}) serve
 * password logins, second-factor verifies and token checks all the time, while a new key file is dropped into the
 * directory and later the old one is removed. Every token either instance issues is checked on both instances and by a
 * {@link RelyingParty} that fetched the JWKS before the rotation and whose cache outlives the activation delay.
 * <p>
 * The test profile's short settings (application.properties, %test): key directory read every second, activation
 * delay 5 s. The relying party refetches on an unknown kid at most every 4 s (rate-limited, as Nimbus' own JWK
 * source is); with an activation delay of 0 the new key's first tokens reach it within that time and are refused.
 */
@Tag("slow")
@QuarkusTest
@TestProfile(KeyRotationTwoInstancesTest.Rotation.class)
class KeyRotationTwoInstancesTest {

    public static class Rotation extends OpsProfile {
        @Override
        String name() {
            return "key-rotation";
        }
    }

    static final Duration RELYING_PARTY_CACHE = Duration.ofSeconds(60);
    static final Duration RELYING_PARTY_MIN_REFETCH = Duration.ofSeconds(4);
    static final String ISSUER = "twofa-service";
    static final String AUDIENCE = "flow-production-tracking";
    /** Sorts before the generated first key's name: the order of first sightings decides which key is newest. */
    static final String NEW_KID = "000-rotated";

    private static SecondInstance second;
    private static String a;
    private static String b;
    private static String admin;
    private static Path signing;
    private static Duration delay;
    private static Duration refresh;

    /** A token one of the instances issued, with its header kid and iat. */
    record Issued(String token, String kid, long iat, String by, String how) {
    }

    @BeforeAll
    static void startSecondInstance() throws Exception {
        var config = ConfigProvider.getConfig();
        signing = Path.of(config.getValue("twofa.token.keys-dir", String.class));
        delay = config.getValue("twofa.token.key-activation-delay", Duration.class);
        refresh = config.getValue("twofa.token.keys-refresh-interval", Duration.class);
        second = SecondInstance.start(config.getValue("quarkus.datasource.reactive.url", String.class),
                config.getValue("quarkus.datasource.jdbc.url", String.class), signing.getParent());
        a = "http://localhost:" + config.getValue("quarkus.http.test-port", Integer.class);
        b = second.baseUrl();
        admin = Api.adminToken(a);
    }

    @AfterAll
    static void stopSecondInstance() throws Exception {
        TestClock.reset();
        if (second != null) {
            second.close();
        }
    }

    @Test
    void aNewKeyIsPublishedBeforeItSignsAndARemovedOneStaysUntilItsTokensHaveExpired() throws Exception {
        System.out.printf("key rotation: activation delay %s, key directory read every %s, relying party cache %s%n", delay,
                refresh, RELYING_PARTY_CACHE);
        assertThat(delay).as("the relying party's cache must outlive the delay").isLessThan(RELYING_PARTY_CACHE);
        String oldKid;
        try (Stream<Path> files = Files.list(signing)) {
            List<String> kids = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".pem"))
                    .map(n -> n.substring(0, n.length() - 4)).toList();
            assertThat(kids).hasSize(1);
            oldKid = kids.get(0);
        }
        PrivateKey oldKey = privateKey(Files.readString(signing.resolve(oldKid + ".pem")));
        assertThat(kids(a)).containsExactly(oldKid);
        assertThat(kids(b)).containsExactly(oldKid);

        // password logins of Client Users (exempt from two-factor: a token each time) and full two-factor logins
        for (int i = 0; i < 3; i++) {
            Api.createUser(a, admin, "rotation-client-" + i, "correct-horse-rotation-" + i, "client");
        }
        Api.requireTwoFactor(a, admin);
        ConcurrentLinkedDeque<String[]> backupCodes = new ConcurrentLinkedDeque<>();
        List<Enrolled> enrolled = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Enrolled user = i % 2 == 0 ? Api.createAndEnrol(a, b, admin, "rotation-mfa-" + i)
                    : Api.createAndEnrol(b, a, admin, "rotation-mfa-" + i);
            enrolled.add(user);
        }
        for (int c = 0; c < enrolled.get(0).backupCodes().size(); c++) {
            for (int u = 0; u < enrolled.size(); u++) {
                backupCodes.add(new String[] { String.valueOf(u), enrolled.get(u).backupCodes().get(c) });
            }
        }

        RelyingParty relyingParty = new RelyingParty(List.of(a, b), RELYING_PARTY_CACHE, RELYING_PARTY_MIN_REFETCH, ISSUER,
                AUDIENCE);
        Traffic traffic = new Traffic(relyingParty);
        traffic.start(enrolled, backupCodes);
        Thread.sleep(1000);

        // --- rotation: a new key file, written as operators should (complete, owner-only, renamed into place)
        String newPem = SigningKeys.newKeyPem();
        KeyDirectory.replaceOwnerOnly(signing.resolve(NEW_KID + ".pem"), newPem);
        Instant dropped = Instant.now();
        await("both instances publish the new key", Duration.ofSeconds(10),
                () -> kids(a).contains(NEW_KID) && kids(b).contains(NEW_KID));
        Duration published = Duration.between(dropped, Instant.now());
        assertThat(Api.get(a, "/.well-known/jwks.json", null).body()).as("the same JWKS on both instances")
                .isEqualTo(Api.get(b, "/.well-known/jwks.json", null).body());
        await("both instances sign with the new key", delay.plusSeconds(15),
                () -> traffic.kidsBy(a).contains(NEW_KID) && traffic.kidsBy(b).contains(NEW_KID));
        Duration signed = Duration.between(dropped, Instant.now());
        Thread.sleep(2000);
        traffic.assertNoFailure("during the rotation");

        Instant publishedAt = Instant.ofEpochMilli(((Number) Db.column(
                "select (extract(epoch from published_at) * 1000)::bigint from signing_key where kid = ?", NEW_KID).get(0)).longValue());
        long activation = publishedAt.plus(delay).getEpochSecond();
        assertThat(traffic.issued(NEW_KID)).as("no token of the new key before its activation").isNotEmpty()
                .allMatch(t -> t.iat() >= activation, "iat >= " + activation);
        assertThat(traffic.issued(oldKid)).as("the old key kept signing while the new one was only published")
                .anyMatch(t -> t.iat() > dropped.getEpochSecond() && t.by().equals(a))
                .anyMatch(t -> t.iat() > dropped.getEpochSecond() && t.by().equals(b));

        // --- the old key's file removed: its tokens keep verifying, it stays in the JWKS
        List<Issued> oldTokens = traffic.issued(oldKid);
        Files.delete(signing.resolve(oldKid + ".pem"));
        Instant removed = Instant.now();
        Thread.sleep(refresh.multipliedBy(5).toMillis() + 1000);
        for (Issued old : oldTokens.subList(Math.max(0, oldTokens.size() - 30), oldTokens.size())) {
            traffic.check(old.token(), old.by(), "re-checked after the removal");
        }
        assertThat(kids(a)).containsExactlyInAnyOrder(oldKid, NEW_KID);
        assertThat(kids(b)).containsExactlyInAnyOrder(oldKid, NEW_KID);
        Instant lastSeen = Instant.ofEpochMilli(((Number) Db.column(
                "select (extract(epoch from last_seen_at) * 1000)::bigint from signing_key where kid = ?", oldKid).get(0)).longValue());
        assertThat(lastSeen).as("no instance has seen the removed file").isBefore(removed.plus(refresh).plusMillis(500));
        traffic.stop();

        System.out.printf("key rotation: new key published on both after %d ms, signing on both after %d ms; tokens %s; "
                + "relying party fetches %s%n", published.toMillis(), signed.toMillis(), traffic.summary(),
                relyingParty.fetches);
        traffic.assertNoFailure("after the old key's file was removed");
        assertThat(traffic.issued(NEW_KID)).extracting(Issued::how).contains("password login", "second factor");
        assertThat(traffic.issued(oldKid)).extracting(Issued::how).contains("password login", "second factor");
        assertThat(relyingParty.fetches.get(0).kids()).containsExactly(oldKid);
        assertThat(relyingParty.fetches).as("the relying party fetched again only for the unknown kid")
                .allMatch(f -> f.reason().equals("start") || f.reason().equals("unknown kid"))
                .anyMatch(f -> f.reason().equals("unknown kid") && f.kids().contains(NEW_KID));

        // --- instance A's clock past the longest token lifetime after the old key's retirement (B keeps real time)
        Issued lastOld = oldTokens.get(oldTokens.size() - 1);
        long lastOldExpiry = expiry(lastOld.token());
        TestClock.advance(Duration.between(TestClock.now(), Instant.ofEpochSecond(lastOldExpiry).minusSeconds(5)));
        assertThat(Api.get(a, "/api/v1/me", lastOld.token()).status()).as("the old key's last token, just before it expires")
                .isEqualTo(200);
        TestClock.advance(Duration.between(TestClock.now(), publishedAt.plus(delay).plusSeconds(3600 + 30 + 60)));
        await("the old key leaves A's JWKS", Duration.ofSeconds(10), () -> !kids(a).contains(oldKid));
        assertThat(kids(a)).containsExactly(NEW_KID);
        JwtClaims claims = Tokens.adminClaims();
        Instant now = TestClock.now();
        claims.setIssuedAt(NumericDate.fromSeconds(now.getEpochSecond()));
        claims.setExpirationTime(NumericDate.fromSeconds(now.plusSeconds(300).getEpochSecond()));
        claims.setClaim("auth_time", now.getEpochSecond());
        assertThat(Api.get(a, "/api/v1/audit-events", Tokens.sign(claims, oldKid, oldKey, "ES256", "at+jwt")).status())
                .as("a token of the retired key, once it has left the JWKS").isEqualTo(401);
        assertThat(Api.get(a, "/api/v1/audit-events", Tokens.sign(claims, NEW_KID, privateKey(newPem), "ES256", "at+jwt"))
                .status()).as("the same claims under the new key").isEqualTo(200);
        assertThat(kids(b)).as("B's clock is an hour behind: there the old key's tokens may still be valid").contains(oldKid);
    }

    /** Logins and token checks on both instances from several threads until stopped. */
    final class Traffic {
        final Queue<String> failures = new ConcurrentLinkedQueue<>();
        private final Queue<Issued> issued = new ConcurrentLinkedQueue<>();
        private final RelyingParty relyingParty;
        private final AtomicBoolean stop = new AtomicBoolean();
        private final ExecutorService pool = Executors.newFixedThreadPool(4);

        Traffic(RelyingParty relyingParty) {
            this.relyingParty = relyingParty;
        }

        void start(List<Enrolled> enrolled, ConcurrentLinkedDeque<String[]> backupCodes) {
            for (int w = 0; w < 3; w++) {
                int worker = w;
                pool.submit(() -> {
                    for (int n = 0; !stop.get(); n++) {
                        String at = (worker + n) % 2 == 0 ? a : b;
                        guarded(() -> {
                            Reply login = Api.login(at, "rotation-client-" + worker, "correct-horse-rotation-" + worker);
                            if (login.status() != 200 || login.text("access_token") == null) {
                                failures.add("password login on " + at + ": " + login.status() + " " + login.body());
                            } else {
                                record(login.text("access_token"), at, "password login");
                            }
                        });
                    }
                });
            }
            pool.submit(() -> {
                for (int n = 0; !stop.get(); n++) {
                    String[] code = backupCodes.poll();
                    if (code == null) {
                        return;
                    }
                    String first = n % 2 == 0 ? a : b;
                    String then = n % 2 == 0 ? b : a;
                    guarded(() -> {
                        String challenge = Api.challenge(first, enrolled.get(Integer.parseInt(code[0])));
                        Reply verified = Api.post(then, "/api/v1/auth/verify", challenge, Map.of("backup_code", code[1]));
                        if (verified.status() != 200) {
                            failures.add("second factor on " + then + ": " + verified.status() + " " + verified.body());
                        } else {
                            record(verified.text("access_token"), then, "second factor");
                        }
                    });
                    sleep(250);
                }
            });
        }

        /** Every token verified on both instances and at the relying party, and every login and verify succeeded. */
        void assertNoFailure(String phase) {
            List<String> seen = List.copyOf(failures);
            assertThat(seen).as("%d failures %s (of %d tokens), the first ones: %s", seen.size(), phase, issued.size(),
                    seen.subList(0, Math.min(10, seen.size()))).isEmpty();
        }

        private void guarded(Runnable step) {
            try {
                step.run();
            } catch (Throwable e) {
                failures.add(e.toString());
            }
        }

        private void record(String token, String by, String how) {
            JsonNode header = header(token);
            issued.add(new Issued(token, header.get("kid").asText(), claimsOf(token).get("iat").asLong(), by, how));
            check(token, by, how);
        }

        /** The token must verify on both instances and at the relying party. */
        void check(String token, String by, String how) {
            String kid = header(token).get("kid").asText();
            for (String at : List.of(a, b)) {
                Reply me = Api.get(at, "/api/v1/me", token);
                if (me.status() != 200) {
                    failures.add(String.format("%s token (kid %s) from %s refused by %s: %d %s", how, kid, by, at, me.status(),
                            me.body()));
                }
            }
            try {
                relyingParty.verify(token);
            } catch (Exception e) {
                failures.add(String.format("%s token (kid %s) from %s refused by the relying party: %s", how, kid, by, e));
            }
        }

        Set<String> kidsBy(String instance) {
            return issued.stream().filter(t -> t.by().equals(instance)).map(Issued::kid).collect(Collectors.toSet());
        }

        List<Issued> issued(String kid) {
            return issued.stream().filter(t -> t.kid().equals(kid)).sorted(Comparator.comparingLong(Issued::iat)).toList();
        }

        Map<String, Long> summary() {
            return issued.stream().collect(Collectors.groupingBy(t -> t.kid() + " by " + (t.by().equals(a) ? "A" : "B") + " ("
                    + t.how() + ")", TreeMap::new, Collectors.counting()));
        }

        void stop() throws InterruptedException {
            stop.set(true);
            pool.shutdown();
            assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        }
    }

    static List<String> kids(String instance) {
        Reply jwks = Api.get(instance, "/.well-known/jwks.json", null);
        assertThat(jwks.status()).isEqualTo(200);
        List<String> kids = new ArrayList<>();
        jwks.body().get("keys").forEach(k -> kids.add(k.get("kid").asText()));
        return kids;
    }

    static void await(String what, Duration within, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("%s within %s", what, within).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    static JsonNode header(String token) {
        return json(token.substring(0, token.indexOf('.')));
    }

    static JsonNode claimsOf(String token) {
        return json(token.split("\\.")[1]);
    }

    static long expiry(String token) {
        return claimsOf(token).get("exp").asLong();
    }

    private static JsonNode json(String part) {
        try {
            return Api.JSON.readTree(Base64.getUrlDecoder().decode(part));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static PrivateKey privateKey(String pem) throws Exception {
        String b64 = pem.substring(pem.indexOf("-----BEGIN PRIVATE KEY-----") + 27, pem.indexOf("-----END PRIVATE KEY-----"));
        return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(b64)));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
