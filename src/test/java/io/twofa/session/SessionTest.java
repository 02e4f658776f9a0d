package io.twofa.session;

import static io.twofa.support.Api.PASSWORD;
import static io.twofa.support.Api.bearer;
import static io.twofa.support.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.twofa.crypto.Base32Secret;
import io.twofa.totp.Totp;
import io.twofa.support.Api;
import io.twofa.support.Db;
import io.twofa.support.TestClock;

/** Desktop sessions: refresh tokens, rotation, reuse detection, expiry, revocation, logout, session lists. */
@QuarkusTest
class SessionTest {

    private static final String REFRESH = "/api/v1/auth/refresh";
    private static final String LOGOUT = "/api/v1/auth/logout";

    @AfterEach
    void restore() {
        TestClock.reset();
        Api.twoFactor(false);
    }

    static JsonPath claims(String jwt) {
        return JsonPath.from(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1])));
    }

    static JsonPath login(String login, String client) {
        return json().body(Map.of("login", login, "password", PASSWORD, "client", client))
                .post("/api/v1/auth/login").then().statusCode(200).extract().jsonPath();
    }

    static JsonPath refresh(String refreshToken) {
        return json().body(Map.of("refresh_token", refreshToken)).post(REFRESH).then().statusCode(200)
                .contentType("application/json").extract().jsonPath();
    }

    /** A refused refresh: 401 problem+json of {@code urn:twofa:problem:<type>}, without a reason. */
    static JsonPath refreshFails(String refreshToken, String type) {
        JsonPath problem = json().body(Map.of("refresh_token", refreshToken)).post(REFRESH).then().statusCode(401)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:twofa:problem:" + type))
                .body("status", equalTo(401))
                .extract().jsonPath();
        assertThat(problem.getString("detail")).isNotBlank().doesNotContain(refreshToken);
        if (!type.equals("session-revoked")) {
            assertThat(problem.getMap("")).doesNotContainKey("reason");
        }
        return problem;
    }

    /** A refresh refused because the session was ended, and why. */
    static void revoked(String refreshToken, String reason) {
        assertThat(refreshFails(refreshToken, "session-revoked").getString("reason")).isEqualTo(reason);
    }

    /** A user logged in with the password alone (policy off) from a desktop program: its login and refresh token. */
    record Desktop(String login, String refreshToken) {
    }

    static Desktop desktopSession() {
        String login = Api.createUser("user");
        JsonPath res = login(login, "desktop");
        assertThat(res.getString("status")).isEqualTo("authenticated");
        return new Desktop(login, res.getString("refresh_token"));
    }

    /** An enrolled user (policy on) after a full login from a desktop program: the verify answer. */
    static JsonPath verifiedDesktop(Api.Enrolled user) {
        TestClock.toStartOfNextStep();
        return bearer(user.challenge()).body(Map.of("code", user.code(0))).post("/api/v1/auth/verify").then()
                .statusCode(200).extract().jsonPath();
    }

    static long events(String type, String login) {
        return bearer(Api.adminToken()).get("/api/v1/audit-events?type=" + type + "&login=" + login).then().statusCode(200)
                .extract().jsonPath().getList("events").size();
    }

    @Test
    void webClientsGetNoRefreshTokenDesktopProgramsDo() {
        String login = Api.createUser("user");
        JsonPath web = login(login, "web");
        assertThat(web.getString("access_token")).isNotNull();
        assertThat(web.getString("refresh_token")).isNull();
        assertThat(web.getString("refresh_expires_in")).isNull();
        JsonPath defaultClient = json().body(Map.of("login", login, "password", PASSWORD)).post("/api/v1/auth/login").then()
                .statusCode(200).extract().jsonPath();
        assertThat(defaultClient.getString("refresh_token")).isNull();
        for (String client : List.of("desktop", "toolkit", "rv", "review-ios")) {
            JsonPath res = login(login, client);
            String token = res.getString("refresh_token");
            // 32 random bytes, Base64url without padding
            assertThat(token).hasSize(43).matches("[A-Za-z0-9_-]{43}");
            assertThat(Base64.getUrlDecoder().decode(token)).hasSize(32);
            assertThat(res.getLong("refresh_expires_in")).isEqualTo(Duration.ofDays(30).toSeconds());
        }
    }

    @Test
    void refreshRotatesAndRestatesWhatTheLoginProved() throws Exception {
        Api.twoFactor(true);
        Api.Enrolled user = Api.enrolledUser();
        JsonPath verified = verifiedDesktop(user);
        String first = verified.getString("refresh_token");
        assertThat(first).isNotNull();
        JsonPath original = claims(verified.getString("access_token"));

        // stored only as SHA-256 of the token's bytes
        byte[] expected = MessageDigest.getInstance("SHA-256").digest(Base64.getUrlDecoder().decode(first));
        assertThat(Db.count("select count(*) from refresh_token where token_hash = ?", (Object) expected)).isEqualTo(1);
        // (the enrolment at login, with the desktop client, started a session of its own)
        assertThat(Db.count("select count(*) from refresh_token t join refresh_family f on f.id = t.family_id "
                + "join account a on a.id = f.account_id where a.login = ?", user.login())).isEqualTo(2);
        assertThat(Db.count("select count(*) from information_schema.columns where table_name in ('refresh_token', "
                + "'refresh_family') and data_type in ('text', 'character varying') and column_name like '%token%'")).isZero();

        TestClock.advance(Duration.ofMinutes(20));
        JsonPath refreshed = refresh(first);
        assertThat(refreshed.getString("status")).isEqualTo("authenticated");
        assertThat(refreshed.getString("token_type")).isEqualTo("Bearer");
        assertThat(refreshed.getInt("expires_in")).isEqualTo(600);
        String second = refreshed.getString("refresh_token");
        assertThat(second).isNotEqualTo(first).hasSize(43);
        JsonPath again = claims(refreshed.getString("access_token"));
        assertThat(again.getList("amr")).containsExactly("pwd", "otp", "mfa");
        assertThat(again.getString("factor")).isEqualTo("totp");
        assertThat(again.getString("client")).isEqualTo("desktop");
        assertThat(again.getLong("auth_time")).isEqualTo(original.getLong("auth_time"));
        assertThat(again.getString("upn")).isEqualTo(user.login());
        assertThat(again.getString("jti")).isNotEqualTo(original.getString("jti"));
        // the new access token is accepted by the service
        bearer(refreshed.getString("access_token")).get("/api/v1/me").then().statusCode(200)
                .body("amr", equalTo(List.of("pwd", "otp", "mfa")));

        String third = refresh(second).getString("refresh_token");
        assertThat(third).isNotEqualTo(second);
        assertThat(events("session_refreshed", user.login())).isEqualTo(2);
    }

    @Test
    void backupCodeLoginsAndEnrolmentAtLoginGetRefreshTokensToo() {
        Api.twoFactor(true);
        Api.Enrolled user = Api.enrolledUser();
        JsonPath viaBackup = bearer(user.challenge()).body(Map.of("backup_code", user.backupCodes().get(0)))
                .post("/api/v1/auth/verify").then().statusCode(200).extract().jsonPath();
        String token = viaBackup.getString("refresh_token");
        assertThat(token).isNotNull();
        assertThat(claims(refresh(token).getString("access_token")).getString("factor")).isEqualTo("backup_code");

        String login = Api.createUser("user");
        String challenge = login(login, "toolkit").getString("challenge_token");
        String secret = bearer(challenge).body("{}").post("/api/v1/enrollment").then().statusCode(201).extract().path("secret");
        JsonPath confirmed = bearer(challenge).body(Map.of("code", Totp.code(Base32Secret.decode(secret), TestClock.now())))
                .post("/api/v1/enrollment/confirm").then().statusCode(200).extract().jsonPath();
        assertThat(confirmed.getString("access_token")).isNotNull();
        JsonPath refreshed = refresh(confirmed.getString("refresh_token"));
        assertThat(claims(refreshed.getString("access_token")).getString("client")).isEqualTo("toolkit");
        assertThat(claims(refreshed.getString("access_token")).getList("amr")).containsExactly("pwd", "otp", "mfa");
    }

    @Test
    void reuseOfARotatedTokenAfterTheGracePeriodRevokesTheWholeFamily() {
        Desktop session = desktopSession();
        String first = session.refreshToken();
        String second = refresh(first).getString("refresh_token");
        TestClock.advance(Duration.ofSeconds(31)); // the default grace period is 30 s
        // this request presented a spent token: the session ends now, and it is told so
        refreshFails(first, "refresh-reused");
        // the newest token, held by the legitimate program (or the thief), stops working too, and says why
        revoked(second, "reuse");
        revoked(first, "reuse");
        assertThat(events("refresh_token_reused", session.login())).isEqualTo(1);
        assertThat(Db.column("select f.revoked_reason from refresh_family f join account a on a.id = f.account_id "
                + "where a.login = ?", session.login())).containsExactly("reuse");
        // a new login starts a new family
        refresh(login(session.login(), "desktop").getString("refresh_token"));
    }

    @Test
    void twentyParallelRefreshesWithOneTokenAllGetTheSameSuccessor() {
        Desktop session = desktopSession();
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        String body = "{\"refresh_token\":\"" + session.refreshToken() + "\"}";
        List<CompletableFuture<HttpResponse<String>>> futures = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(RestAssured.baseURI + ":" + RestAssured.port + REFRESH))
                    .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            futures.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        }
        List<HttpResponse<String>> responses = futures.stream().map(CompletableFuture::join).toList();
        assertThat(responses).extracting(HttpResponse::statusCode).as(responses.toString()).containsOnly(200);
        List<JsonPath> answers = responses.stream().map(r -> JsonPath.from(r.body())).toList();
        // processes sharing one session that refresh at once all continue with the same successor...
        assertThat(answers.stream().map(a -> a.getString("refresh_token")).distinct().toList()).hasSize(1)
                .doesNotContain(session.refreshToken());
        // ...each with an access token of its own, of the same session
        assertThat(answers.stream().map(a -> claims(a.getString("access_token")).getString("jti")).distinct()).hasSize(20);
        assertThat(answers.stream().map(a -> claims(a.getString("access_token")).getLong("auth_time")).distinct()).hasSize(1);
        // one rotation happened, nothing else was stored, and the session is live
        assertThat(Db.count("select count(*) from refresh_token t join refresh_family f on f.id = t.family_id "
                + "join account a on a.id = f.account_id where a.login = ? and t.rotated_at is not null", session.login()))
                .isEqualTo(1);
        assertThat(Db.count("select count(*) from refresh_token t join refresh_family f on f.id = t.family_id "
                + "join account a on a.id = f.account_id where a.login = ?", session.login())).isEqualTo(2);
        assertThat(Db.column("select f.revoked_at from refresh_family f join account a on a.id = f.account_id "
                + "where a.login = ?", session.login())).containsExactly((Object) null);
        assertThat(events("refresh_token_reused", session.login())).isZero();
        assertThat(events("session_refreshed", session.login())).isEqualTo(20);
        refresh(answers.get(0).getString("refresh_token"));
    }

    @Test
    void anAdminResetOfTheSecondFactorRevokesTheSessions() {
        Api.twoFactor(true);
        Api.Enrolled user = Api.enrolledUser();
        String token = verifiedDesktop(user).getString("refresh_token");
        token = refresh(token).getString("refresh_token");
        bearer(Api.adminToken()).delete("/api/v1/users/" + user.login() + "/second-factor").then().statusCode(204);
        revoked(token, "second_factor_reset");
        bearer(Api.adminToken()).get("/api/v1/users/" + user.login() + "/sessions").then().statusCode(200)
                .body("sessions.size()", equalTo(0));
        assertThat(events("session_revoked", user.login())).isEqualTo(1);
    }

    @Test
    void movingToANewPhoneRevokesTheSessions() {
        Api.twoFactor(true);
        Api.Enrolled user = Api.enrolledUser();
        JsonPath verified = verifiedDesktop(user);
        String token = verified.getString("refresh_token");
        String access = verified.getString("access_token");
        JsonPath started = bearer(access).body(Map.of("password", PASSWORD)).post("/api/v1/enrollment").then().statusCode(201)
                .extract().jsonPath();
        String secret = started.getString("secret");
        // not before the new phone is confirmed
        token = refresh(token).getString("refresh_token");
        TestClock.advance(Duration.ofSeconds(30));
        bearer(started.getString("enrollment_token")).body(Map.of("code", Totp.code(Base32Secret.decode(secret), TestClock.now())))
                .post("/api/v1/enrollment/confirm").then().statusCode(200);
        revoked(token, "second_factor_changed");
        assertThat(Db.column("select f.revoked_reason from refresh_family f join account a on a.id = f.account_id "
                + "where a.login = ?", user.login())).containsOnly("second_factor_changed");
    }

    @Test
    void changingThePasswordRevokesTheSessions() {
        Desktop session = desktopSession();
        String other = login(session.login(), "rv").getString("refresh_token");
        String access = login(session.login(), "web").getString("access_token");
        String newPassword = "a new and longer password";

        bearer(access).body(Map.of("current_password", PASSWORD, "new_password", "short")).put("/api/v1/me/password").then()
                .statusCode(400).contentType("application/problem+json").body("field", equalTo("new_password"));
        bearer(access).body(Map.of("current_password", PASSWORD)).put("/api/v1/me/password").then().statusCode(400)
                .body("field", equalTo("new_password"));
        bearer(access).body(Map.of("current_password", PASSWORD, "new_password", newPassword, "x", 1))
                .put("/api/v1/me/password").then().statusCode(400);
        json().body(Map.of("current_password", PASSWORD, "new_password", newPassword)).put("/api/v1/me/password").then()
                .statusCode(401);
        bearer(access).body(Map.of("current_password", "wrong", "new_password", newPassword)).put("/api/v1/me/password").then()
                .statusCode(401).contentType("application/problem+json");
        // a failed attempt changed nothing
        refresh(other);
        String live = refresh(session.refreshToken()).getString("refresh_token");

        bearer(access).body(Map.of("current_password", PASSWORD, "new_password", newPassword)).put("/api/v1/me/password").then()
                .statusCode(204);
        revoked(live, "password_changed");
        json().body(Map.of("login", session.login(), "password", PASSWORD)).post("/api/v1/auth/login").then().statusCode(401);
        assertThat(json().body(Map.of("login", session.login(), "password", newPassword)).post("/api/v1/auth/login").then()
                .statusCode(200).extract().path("status").toString()).isEqualTo("authenticated");
        assertThat(events("password_changed", session.login())).isEqualTo(1);
        assertThat(events("session_revoked", session.login())).isEqualTo(1);
    }

    @Test
    void wrongCurrentPasswordsCountInThePasswordThrottle() {
        String login = Api.createUser("user");
        String access = login(login, "web").getString("access_token");
        for (int i = 0; i < 5; i++) {
            bearer(access).body(Map.of("current_password", "wrong", "new_password", "whatever-long")).put("/api/v1/me/password")
                    .then().statusCode(401);
        }
        bearer(access).body(Map.of("current_password", PASSWORD, "new_password", "whatever-long")).put("/api/v1/me/password")
                .then().statusCode(429).header("Retry-After", equalTo("30"));
        json().body(Map.of("login", login, "password", PASSWORD)).post("/api/v1/auth/login").then().statusCode(429);
    }

    @Test
    void switchingTwoFactorOnLogsEveryoneOut() {
        Desktop a = desktopSession();
        Desktop b = desktopSession();
        String clientUser = Api.createUser("client");
        String c = login(clientUser, "review-ios").getString("refresh_token");
        Api.twoFactor(true);
        revoked(a.refreshToken(), "two_factor_switched_on");
        revoked(b.refreshToken(), "two_factor_switched_on");
        revoked(c, "two_factor_switched_on");
        assertThat(bearer(Api.adminToken()).get("/api/v1/audit-events?type=session_revoked").then().statusCode(200)
                .extract().jsonPath().getString("events[0].detail")).startsWith("two_factor_switched_on");

        // policy already on: saving it again logs no one out
        Api.Enrolled user = Api.enrolledUser();
        String token = verifiedDesktop(user).getString("refresh_token");
        Api.policy(Map.of("two_factor_required", true, "issuer", "Another Issuer"));
        Api.policy(Map.of("issuer", "Flow Production Tracking"));
        refresh(token);
    }

    @Test
    void passwordOnlySessionsEndWhenEnforcementBegins() {
        String login = Api.createUser("user");
        Instant due = TestClock.now().plus(Duration.ofDays(7)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Api.policy(Map.of("two_factor_required", true, "enforce_from", due.toString()));
        JsonPath res = login(login, "desktop");
        assertThat(Instant.parse(res.getString("enrollment_due"))).isEqualTo(due);
        TestClock.advance(Duration.ofDays(1));
        JsonPath refreshed = refresh(res.getString("refresh_token"));
        assertThat(Instant.parse(refreshed.getString("enrollment_due"))).isEqualTo(due);
        assertThat(claims(refreshed.getString("access_token")).getList("amr")).containsExactly("pwd");
        TestClock.advance(Duration.ofDays(7));
        revoked(refreshed.getString("refresh_token"), "two_factor_required");
        revoked(refreshed.getString("refresh_token"), "two_factor_required");
    }

    @Test
    void idleExpirySlidesWithEachRefresh() {
        Desktop session = desktopSession();
        TestClock.advance(Duration.ofDays(29));
        JsonPath r1 = refresh(session.refreshToken());
        assertThat(r1.getLong("refresh_expires_in")).isEqualTo(Duration.ofDays(30).toSeconds());
        TestClock.advance(Duration.ofDays(29));
        String r2 = refresh(r1.getString("refresh_token")).getString("refresh_token");
        TestClock.advance(Duration.ofDays(30).plusSeconds(1));
        refreshFails(r2, "refresh-expired");
        // an expired token is not reuse: nothing was revoked
        assertThat(Db.column("select f.revoked_at from refresh_family f join account a on a.id = f.account_id "
                + "where a.login = ?", session.login())).containsExactly((Object) null);
    }

    @Test
    void noRefreshBeyondTheAbsoluteMaximum() {
        Desktop session = desktopSession();
        String token = session.refreshToken();
        for (int i = 0; i < 3; i++) {
            TestClock.advance(Duration.ofDays(29));
            token = refresh(token).getString("refresh_token");
        }
        // 87 days after the login: the new token lives until day 90, not day 117
        JsonPath last = refresh(token);
        assertThat(last.getLong("refresh_expires_in")).isBetween(Duration.ofDays(3).toSeconds() - 10, Duration.ofDays(3).toSeconds());
        TestClock.advance(Duration.ofDays(3).plusSeconds(1));
        refreshFails(last.getString("refresh_token"), "refresh-expired");
        // a spent token of an ended session is no threat: expired, not reuse
        refreshFails(token, "refresh-expired");
        assertThat(events("refresh_token_reused", session.login())).isZero();
    }

    @Test
    void sessionsAreListedAndRevokedByTheirOwnerAndAdmins() {
        Desktop a = desktopSession();
        String aRv = login(a.login(), "rv").getString("refresh_token");
        login(a.login(), "web");
        Desktop b = desktopSession();
        String aAccess = login(a.login(), "web").getString("access_token");
        String bAccess = login(b.login(), "web").getString("access_token");

        JsonPath mine = bearer(aAccess).get("/api/v1/me/sessions").then().statusCode(200).extract().jsonPath();
        assertThat(mine.getList("sessions")).hasSize(2);
        assertThat(mine.getList("sessions.client", String.class)).containsExactlyInAnyOrder("desktop", "rv");
        Map<String, Object> first = mine.getMap("sessions[0]");
        assertThat(first.keySet()).containsExactlyInAnyOrder("id", "client", "created_at", "last_used_at", "expires_at");
        assertThat(mine.prettify()).doesNotContain(a.refreshToken()).doesNotContain(aRv);
        String rvId = mine.getString("sessions.find { it.client == 'rv' }.id");
        String desktopId = mine.getString("sessions.find { it.client == 'desktop' }.id");

        String bId = bearer(bAccess).get("/api/v1/me/sessions").then().statusCode(200).extract().jsonPath()
                .getString("sessions[0].id");
        // another user's session is answered like one that does not exist
        bearer(aAccess).delete("/api/v1/me/sessions/" + bId).then().statusCode(404).contentType("application/problem+json");
        bearer(aAccess).delete("/api/v1/me/sessions/" + UUID.randomUUID()).then().statusCode(404);
        bearer(aAccess).delete("/api/v1/me/sessions/not-a-uuid").then().statusCode(404);
        refresh(b.refreshToken());

        bearer(aAccess).delete("/api/v1/me/sessions/" + rvId).then().statusCode(204);
        revoked(aRv, "revoked_by_user");
        bearer(aAccess).get("/api/v1/me/sessions").then().statusCode(200).body("sessions.size()", equalTo(1))
                .body("sessions[0].id", equalTo(desktopId));
        json().get("/api/v1/me/sessions").then().statusCode(401);

        // admins
        String admin = Api.adminToken();
        bearer(admin).get("/api/v1/users/" + a.login() + "/sessions").then().statusCode(200)
                .body("sessions.size()", equalTo(1)).body("sessions[0].id", equalTo(desktopId));
        bearer(admin).get("/api/v1/users/" + Api.newLogin("nobody") + "/sessions").then().statusCode(404);
        bearer(admin).delete("/api/v1/users/" + b.login() + "/sessions/" + desktopId).then().statusCode(404);
        bearer(aAccess).get("/api/v1/users/" + a.login() + "/sessions").then().statusCode(403);
        bearer(aAccess).delete("/api/v1/users/" + a.login() + "/sessions/" + desktopId).then().statusCode(403);
        bearer(admin).delete("/api/v1/users/" + a.login() + "/sessions/" + desktopId).then().statusCode(204);
        revoked(a.refreshToken(), "revoked_by_admin");
        bearer(aAccess).get("/api/v1/me/sessions").then().statusCode(200).body("sessions.size()", equalTo(0));
        bearer(admin).get("/api/v1/audit-events?type=session_revoked&login=" + a.login()).then().statusCode(200)
                .body("events.size()", equalTo(2)).body("events[0].actor", equalTo("admin"));
    }

    @Test
    void logoutRevokesTheFamilyAndAnswersAlikeForUnknownTokens() {
        Desktop session = desktopSession();
        String second = refresh(session.refreshToken()).getString("refresh_token");
        json().body(Map.of("refresh_token", second)).post(LOGOUT).then().statusCode(204);
        revoked(second, "logout");
        revoked(session.refreshToken(), "logout");
        // again, unknown, malformed: the same answer
        json().body(Map.of("refresh_token", second)).post(LOGOUT).then().statusCode(204);
        byte[] random = new byte[32];
        new java.security.SecureRandom().nextBytes(random);
        json().body(Map.of("refresh_token", Base64.getUrlEncoder().withoutPadding().encodeToString(random))).post(LOGOUT).then()
                .statusCode(204);
        json().body(Map.of("refresh_token", "not a token")).post(LOGOUT).then().statusCode(204);
        json().body("{}").post(LOGOUT).then().statusCode(400).body("field", equalTo("refresh_token"));
        assertThat(Db.column("select f.revoked_reason from refresh_family f join account a on a.id = f.account_id "
                + "where a.login = ?", session.login())).containsExactly("logout");
        assertThat(events("session_revoked", session.login())).isEqualTo(1);
    }

    @Test
    void badRefreshRequestsAreProblems() {
        json().body("{}").post(REFRESH).then().statusCode(400).contentType("application/problem+json")
                .body("field", equalTo("refresh_token"));
        Map<String, Object> extra = new HashMap<>();
        extra.put("refresh_token", "x".repeat(43));
        extra.put("client", "desktop");
        json().body(extra).post(REFRESH).then().statusCode(400).body("field", equalTo("client"));
        // one answer, with nothing to tell, for whoever holds no token the service issued
        String detail = refreshFails("not a token", "refresh-invalid").getString("detail");
        assertThat(refreshFails("A".repeat(43), "refresh-invalid").getString("detail")).isEqualTo(detail);
        byte[] random = new byte[32];
        new java.security.SecureRandom().nextBytes(random);
        assertThat(refreshFails(Base64.getUrlEncoder().withoutPadding().encodeToString(random), "refresh-invalid")
                .getString("detail")).isEqualTo(detail);
        // an access token is no refresh token
        String access = login(Api.createUser("user"), "desktop").getString("access_token");
        assertThat(refreshFails(access, "refresh-invalid").getString("detail")).isEqualTo(detail);
    }
}
