package io.twofa.session;

import static io.twofa.session.SessionTest.claims;
import static io.twofa.session.SessionTest.desktopSession;
import static io.twofa.session.SessionTest.events;
import static io.twofa.session.SessionTest.refresh;
import static io.twofa.session.SessionTest.refreshFails;
import static io.twofa.session.SessionTest.revoked;
import static io.twofa.support.Api.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.twofa.crypto.SecretCipher;
import io.twofa.support.Api;
import io.twofa.support.Db;
import io.twofa.support.TestClock;

/**
 * The refresh grace period (default 30 s): a rotated token presented again soon after gets the same successor;
 * later it is reuse. Sequential cases here; 20 parallel refreshes in {@link SessionTest}.
 */
@QuarkusTest
class RefreshGraceTest {

    @Inject
    SecretCipher cipher;

    @AfterEach
    void restore() {
        TestClock.reset();
        Api.twoFactor(false);
    }

    private static long tokensOf(String login) {
        return Db.count("select count(*) from refresh_token t join refresh_family f on f.id = t.family_id "
                + "join account a on a.id = f.account_id where a.login = ?", login);
    }

    @Test
    void aRotatedTokenPresentedAgainWithinTheGraceGetsTheSameSuccessor() {
        SessionTest.Desktop session = desktopSession();
        JsonPath first = refresh(session.refreshToken());
        String successor = first.getString("refresh_token");
        TestClock.advance(Duration.ofSeconds(20));

        JsonPath again = refresh(session.refreshToken());
        assertThat(again.getString("refresh_token")).isEqualTo(successor);
        // the successor keeps its expiry: 20 s less to go, not a fresh idle period
        assertThat(again.getLong("refresh_expires_in")).isBetween(first.getLong("refresh_expires_in") - 21,
                first.getLong("refresh_expires_in") - 19);
        // a new access token of the same session
        JsonPath a1 = claims(first.getString("access_token"));
        JsonPath a2 = claims(again.getString("access_token"));
        assertThat(a2.getString("jti")).isNotEqualTo(a1.getString("jti"));
        assertThat(a2.getLong("auth_time")).isEqualTo(a1.getLong("auth_time"));
        assertThat(a2.getString("sub")).isEqualTo(a1.getString("sub"));
        assertThat(a2.getList("amr")).isEqualTo(a1.getList("amr"));
        assertThat(a2.getLong("exp")).isGreaterThan(a1.getLong("exp"));
        // nothing new stored, nothing revoked, not reuse
        assertThat(tokensOf(session.login())).isEqualTo(2);
        assertThat(events("refresh_token_reused", session.login())).isZero();

        // the successor goes on as usual; its own predecessor is now in its grace
        String third = refresh(successor).getString("refresh_token");
        assertThat(third).isNotEqualTo(successor);
        assertThat(refresh(successor).getString("refresh_token")).isEqualTo(third);
        refresh(third);
    }

    @Test
    void reuseAfterTheGraceRevokesTheSessionAndSaysSo() {
        SessionTest.Desktop session = desktopSession();
        String successor = refresh(session.refreshToken()).getString("refresh_token");
        TestClock.advance(Duration.ofSeconds(29));
        assertThat(refresh(session.refreshToken()).getString("refresh_token")).isEqualTo(successor);
        TestClock.advance(Duration.ofSeconds(2)); // 31 s after the rotation

        JsonPath problem = refreshFails(session.refreshToken(), "refresh-reused");
        assertThat(problem.getString("title")).isEqualTo("Refresh token reused");
        revoked(successor, "reuse");
        revoked(session.refreshToken(), "reuse");
        assertThat(events("refresh_token_reused", session.login())).isEqualTo(1);
        assertThat(Db.column("select f.revoked_reason from refresh_family f join account a on a.id = f.account_id "
                + "where a.login = ?", session.login())).containsExactly("reuse");
    }

    @Test
    void aLoggedOutSessionDoesNotAnswerWithinTheGrace() {
        SessionTest.Desktop session = desktopSession();
        String successor = refresh(session.refreshToken()).getString("refresh_token");
        json().body(Map.of("refresh_token", successor)).post("/api/v1/auth/logout").then().statusCode(204);
        TestClock.advance(Duration.ofSeconds(1));
        // well within the grace, but the logout wins: no successor, no access token, and it is not reuse
        revoked(session.refreshToken(), "logout");
        revoked(successor, "logout");
        assertThat(events("refresh_token_reused", session.login())).isZero();
    }

    @Test
    void aSessionRevokedByItsOwnerDoesNotAnswerWithinTheGrace() {
        SessionTest.Desktop session = desktopSession();
        JsonPath rotated = refresh(session.refreshToken());
        String sessionId = json().header("Authorization", "Bearer " + rotated.getString("access_token"))
                .get("/api/v1/me/sessions").then().statusCode(200).extract().path("sessions[0].id");
        json().header("Authorization", "Bearer " + rotated.getString("access_token"))
                .delete("/api/v1/me/sessions/" + sessionId).then().statusCode(204);
        revoked(session.refreshToken(), "revoked_by_user");
    }

    @Test
    void theGraceNeverExtendsTheAbsoluteLifetime() {
        SessionTest.Desktop session = desktopSession();
        Instant loggedIn = TestClock.now();
        String token = session.refreshToken();
        for (int i = 0; i < 3; i++) {
            TestClock.advance(Duration.ofDays(29));
            token = refresh(token).getString("refresh_token");
        }
        // 10 s before the absolute end (90 days after the login)
        TestClock.advance(Duration.between(TestClock.now(), loggedIn.plus(Duration.ofDays(90))).minusSeconds(10));
        JsonPath last = refresh(token);
        assertThat(last.getLong("refresh_expires_in")).isBetween(8L, 10L);
        TestClock.advance(Duration.ofSeconds(15)); // within the grace of that rotation, past the absolute end
        refreshFails(token, "refresh-expired");
        refreshFails(last.getString("refresh_token"), "refresh-expired");
        assertThat(events("refresh_token_reused", session.login())).isZero();
    }

    @Test
    void theSuccessorIsDerivedFromItsPredecessorWithAServerKey() throws Exception {
        // what makes the grace possible without storing a token: the service can recompute the successor, no one
        // without the key can
        SessionTest.Desktop session = desktopSession();
        String successor = refresh(session.refreshToken()).getString("refresh_token");
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(
                cipher.derivedKey(cipher.currentKeyId(), "twofa refresh-token successor"), "HmacSHA256"));
        byte[] expected = mac.doFinal(Base64.getUrlDecoder().decode(session.refreshToken()));
        assertThat(Base64.getUrlDecoder().decode(successor)).isEqualTo(expected);
        // another session's successor is another value
        assertThat(refresh(desktopSession().refreshToken()).getString("refresh_token")).isNotEqualTo(successor);
    }

    @Test
    void anAccountDisabledReasonIsToldLikeEveryOther() {
        // the account feature revokes with this reason when it disables an account; the answer passes it on
        SessionTest.Desktop session = desktopSession();
        UUID family = (UUID) Db.column("select f.id from refresh_family f join account a on a.id = f.account_id "
                + "where a.login = ?", session.login()).get(0);
        Db.column("update refresh_family set revoked_at = now(), revoked_reason = 'account_disabled' where id = ? "
                + "returning id", family);
        revoked(session.refreshToken(), "account_disabled");
    }
}
