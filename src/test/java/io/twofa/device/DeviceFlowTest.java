package io.twofa.device;

import static io.twofa.support.Api.PASSWORD;
import static io.twofa.support.Api.bearer;
import static io.twofa.support.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import io.twofa.support.Api;
import io.twofa.support.Db;
import io.twofa.support.Parallel;
import io.twofa.support.ResetsSharedState;
import io.twofa.support.TestClock;

/**
 * Device authorization (RFC 8628) over HTTP: start, look up, approve or deny, poll (pending, slow_down, expired,
 * denied, redeemed once), what the tokens state, what is stored and audited.
 */
@QuarkusTest
class DeviceFlowTest extends ResetsSharedState {

    static final String AUTHORIZE = "/api/v1/device/authorize";
    static final String TOKEN = "/api/v1/device/token";
    static final String USER_CODE = "[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}";
    static final String PROBLEM = "urn:twofa:problem:";

    @Inject
    DeviceCleanup cleanup;

    // ------------------------------------------------------------------------------------------------ helpers

    static JsonPath authorize(String client, String deviceName) {
        Map<String, Object> body = new HashMap<>();
        body.put("client", client);
        if (deviceName != null) {
            body.put("device_name", deviceName);
        }
        return json().body(body).post(AUTHORIZE).then().statusCode(200).contentType("application/json").extract().jsonPath();
    }

    static ValidatableResponse poll(String deviceCode) {
        return json().body(Map.of("device_code", deviceCode)).post(TOKEN).then();
    }

    /** A poll answered with the RFC 8628 error {@code error} (problem type {@code slug}, 400). */
    static JsonPath pollFails(String deviceCode, String slug, String error) {
        return poll(deviceCode).statusCode(400).contentType("application/problem+json")
                .body("type", equalTo(PROBLEM + slug)).body("error", equalTo(error)).extract().jsonPath();
    }

    static JsonPath pollSucceeds(String deviceCode) {
        return poll(deviceCode).statusCode(200).contentType("application/json").body("status", equalTo("authenticated"))
                .body("token_type", equalTo("Bearer")).extract().jsonPath();
    }

    static ValidatableResponse details(String token, String userCode) {
        return bearer(token).get("/api/v1/device/requests/" + userCode).then();
    }

    static ValidatableResponse decide(String token, String userCode, String decision) {
        return bearer(token).post("/api/v1/device/requests/" + userCode + "/" + decision).then();
    }

    static JsonPath claims(String jwt) {
        return JsonPath.from(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1])));
    }

    /** A full web sign-in with password and TOTP code (policy on): the verify answer. */
    static JsonPath webSignInWithTotp(Api.Enrolled user) {
        TestClock.toStartOfNextStep();
        String challenge = json().body(Map.of("login", user.login(), "password", PASSWORD, "client", "web"))
                .post("/api/v1/auth/login").then().statusCode(200).body("status", equalTo("second_factor_required"))
                .extract().path("challenge_token");
        return bearer(challenge).body(Map.of("code", user.code(0))).post("/api/v1/auth/verify").then().statusCode(200)
                .extract().jsonPath();
    }

    /** A password-only web sign-in (policy off, or an exempt account): the access token. */
    static String webSignIn(String login) {
        return json().body(Map.of("login", login, "password", PASSWORD, "client", "web")).post("/api/v1/auth/login").then()
                .statusCode(200).body("status", equalTo("authenticated")).extract().path("access_token");
    }

    static long audited(String type, String detailLike) {
        return Db.count("select count(*) from audit_event where type = ? and detail like ?", type, detailLike);
    }

    // ------------------------------------------------------------------------------------------------ start

    @Test
    void authorizeAnswersAsRfc8628AndStoresNoCode() throws Exception {
        String name = Api.newLogin("render-node");
        JsonPath grant = authorize("cli", name);
        String deviceCode = grant.getString("device_code");
        String userCode = grant.getString("user_code");
        String base = RestAssured.baseURI + ":" + RestAssured.port;

        assertThat(deviceCode).matches("[A-Za-z0-9_-]{43}");
        assertThat(Base64.getUrlDecoder().decode(deviceCode)).hasSize(32);
        assertThat(userCode).matches(USER_CODE);
        assertThat(grant.getString("verification_uri")).isEqualTo(base + "/device");
        assertThat(grant.getString("verification_uri_complete")).isEqualTo(base + "/device?user_code=" + userCode);
        assertThat(grant.getInt("expires_in")).isEqualTo(600);
        assertThat(grant.getInt("interval")).isEqualTo(5);
        // two grants, two different pairs of codes
        JsonPath other = authorize("desktop", null);
        assertThat(other.getString("device_code")).isNotEqualTo(deviceCode);
        assertThat(other.getString("user_code")).isNotEqualTo(userCode);

        // the device code only as SHA-256, the user code only as a keyed hash: neither is in the row
        byte[] deviceHash = MessageDigest.getInstance("SHA-256").digest(Base64.getUrlDecoder().decode(deviceCode));
        assertThat(Db.count("select count(*) from device_authorization where device_code_hash = ? and device_name = ?",
                deviceHash, name)).isEqualTo(1);
        String plain = userCode.replace("-", "");
        byte[] unkeyed = MessageDigest.getInstance("SHA-256").digest(plain.getBytes());
        assertThat(Db.count("select count(*) from device_authorization where user_code_hash = ? or user_code_hash = ?",
                unkeyed, plain.getBytes())).isZero();
        assertThat(Db.count("select count(*) from device_authorization where device_name = ? and length(user_code_hash) = 32",
                name)).isEqualTo(1);
        assertThat(Db.count("select count(*) from information_schema.columns where table_name = 'device_authorization' "
                + "and data_type in ('text', 'character varying') and column_name like '%code%'")).isZero();

        // audited with the client kind and the address that asked
        assertThat(Db.count("select count(*) from audit_event where type = 'device_authorization_requested' and client = 'cli' "
                + "and source_ip = '127.0.0.1' and detail = ? and actor is null", "device '" + name + "'")).isEqualTo(1);

        // the verification URI is the page
        String page = RestAssured.given().get("/device?user_code=" + userCode).then().statusCode(200)
                .contentType(startsWith("text/html")).extract().asString();
        assertThat(page).contains("<script src=\"device.js\" defer></script>").contains("id=\"screen-device\"");

        // not yet approved
        pollFails(deviceCode, "authorization-pending", "authorization_pending");
    }

    @Test
    void badAuthorizeRequestsAreProblems() {
        for (Object client : new Object[] { null, "web", "browser", "" }) {
            Map<String, Object> body = new HashMap<>();
            body.put("client", client);
            json().body(body).post(AUTHORIZE).then().statusCode(400).contentType("application/problem+json")
                    .body("type", equalTo(PROBLEM + "invalid-input")).body("field", equalTo("client"));
        }
        for (String name : new String[] { "x".repeat(65), "  ", "bad\nname", "evil\u202Etxt.exe", "zero\u200Bwidth" }) {
            json().body(Map.of("client", "cli", "device_name", name)).post(AUTHORIZE).then().statusCode(400)
                    .body("type", equalTo(PROBLEM + "invalid-input")).body("field", equalTo("device_name"));
        }
        json().body(Map.of("client", "cli", "scope", "all")).post(AUTHORIZE).then().statusCode(400).body("field", equalTo("scope"));
        json().body("{\"client\": 5}").post(AUTHORIZE).then().statusCode(400).body("field", equalTo("client"));
        // every kind of program outside the browser may ask; the name may be any printable text
        for (String kind : List.of("desktop", "toolkit", "rv", "review-ios", "cli")) {
            authorize(kind, "Renderknoten Zürich №7 🎬");
        }
        json().body("{}").post(TOKEN).then().statusCode(400).body("field", equalTo("device_code"));
        pollFails("not-a-device-code", "invalid-grant", "invalid_grant");
        pollFails(Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[32]), "invalid-grant", "invalid_grant");
    }

    // ------------------------------------------------------------------------------------------------ approve

    @Test
    void approvedAfterATwoFactorSignInTheToolGetsTheTokensOnce() {
        Api.twoFactor(true);
        Api.Enrolled user = Api.enrolledUser();
        JsonPath web = webSignInWithTotp(user);
        String browserToken = web.getString("access_token");
        JsonPath browser = claims(browserToken);

        String name = Api.newLogin("workstation");
        JsonPath grant = authorize("cli", name);
        String deviceCode = grant.getString("device_code");
        String userCode = grant.getString("user_code");

        // typed loosely: lower case, no dash, spaces
        String typed = " " + userCode.replace("-", "").toLowerCase().substring(0, 4) + " " + userCode.substring(5).toLowerCase();
        details(browserToken, typed).statusCode(200).contentType("application/json")
                .body("user_code", equalTo(userCode)).body("client", equalTo("cli")).body("device_name", equalTo(name))
                .body("requested_from", equalTo("127.0.0.1")).body("status", equalTo("pending"))
                .body("expires_in", org.hamcrest.Matchers.allOf(org.hamcrest.Matchers.greaterThan(590),
                        org.hamcrest.Matchers.lessThanOrEqualTo(600)));
        decide(browserToken, userCode, "approve").statusCode(200).body("status", equalTo("approved"))
                .body("client", equalTo("cli")).body("device_name", equalTo(name));

        TestClock.advance(Duration.ofSeconds(5));
        JsonPath tokens = pollSucceeds(deviceCode);
        JsonPath access = claims(tokens.getString("access_token"));
        assertThat(access.getString("upn")).isEqualTo(user.login());
        assertThat(access.getString("sub")).isEqualTo(browser.getString("sub"));
        assertThat(access.getList("amr")).containsExactly("pwd", "otp", "mfa");
        assertThat(access.getString("factor")).isEqualTo("totp");
        assertThat(access.getLong("auth_time")).isEqualTo(browser.getLong("auth_time"));
        assertThat(access.getString("client")).isEqualTo("cli");
        assertThat(tokens.getInt("expires_in")).isEqualTo(600);
        assertThat(tokens.getString("refresh_token")).matches("[A-Za-z0-9_-]{43}");
        assertThat(tokens.getLong("refresh_expires_in")).isEqualTo(Duration.ofDays(30).toSeconds());
        // the service accepts the token, and the session renews like any desktop session
        bearer(tokens.getString("access_token")).get("/api/v1/me").then().statusCode(200)
                .body("client", equalTo("cli")).body("account.login", equalTo(user.login()));
        JsonPath renewed = json().body(Map.of("refresh_token", tokens.getString("refresh_token"))).post("/api/v1/auth/refresh")
                .then().statusCode(200).extract().jsonPath();
        assertThat(claims(renewed.getString("access_token")).getString("client")).isEqualTo("cli");
        assertThat(claims(renewed.getString("access_token")).getList("amr")).containsExactly("pwd", "otp", "mfa");

        // handed out once; the code was for one approval
        TestClock.advance(Duration.ofSeconds(5));
        pollFails(deviceCode, "invalid-grant", "invalid_grant");
        decide(browserToken, userCode, "approve").statusCode(404).body("type", equalTo(PROBLEM + "unknown-user-code"));
        details(browserToken, userCode).statusCode(404);

        // audited: who approved, for which kind of program, from where; the redemption
        String like = "device '" + name + "'%";
        assertThat(Db.count("select count(*) from audit_event where type = 'device_authorization_approved' and actor = ? "
                + "and subject_login = ? and client = 'cli' and source_ip = '127.0.0.1' and detail = ?", user.login(),
                user.login(), "device '" + name + "', requested from 127.0.0.1")).isEqualTo(1);
        assertThat(Db.count("select count(*) from audit_event where type = 'device_authorization_redeemed' and subject_login = ? "
                + "and client = 'cli' and source_ip = '127.0.0.1' and detail like ?", user.login(), like)).isEqualTo(1);
        assertThat(Db.count("select count(*) from device_authorization where device_name = ? and status = 'redeemed' "
                + "and amr = 'pwd otp mfa' and factor = 'totp'", name)).isEqualTo(1);
    }

    @Test
    void ofTwentyParallelPollsAfterApprovalExactlyOneGetsTheTokens() {
        String login = Api.createUser("user");
        String browserToken = webSignIn(login);
        String name = Api.newLogin("farm");
        JsonPath grant = authorize("toolkit", name);
        decide(browserToken, grant.getString("user_code"), "approve").statusCode(200);

        String body = "{\"device_code\":\"" + grant.getString("device_code") + "\"}";
        List<HttpResponse<String>> answers = Parallel.post(TOKEN, "none", 20, i -> body);
        assertThat(Parallel.countStatus(answers, 200)).as("answers with tokens").isEqualTo(1);
        assertThat(Parallel.countStatus(answers, 400)).isEqualTo(19);
        answers.stream().filter(a -> a.statusCode() == 400)
                .forEach(a -> assertThat(a.body()).contains("\"error\":\"invalid_grant\""));
        // one session, one redemption in the audit trail
        assertThat(Db.count("select count(*) from refresh_family f join account a on a.id = f.account_id "
                + "where a.login = ? and f.client = 'toolkit'", login)).isEqualTo(1);
        assertThat(audited("device_authorization_redeemed", "device '" + name + "'")).isEqualTo(1);
    }

    @Test
    void approvingNeedsASignInWithBothFactorsWhereTheAccountNeedsThem() {
        // a password-only token from before two-factor was switched on
        String login = Api.createUser("user");
        String passwordOnly = webSignIn(login);
        JsonPath grant = authorize("desktop", "laptop");
        Api.twoFactor(true);
        decide(passwordOnly, grant.getString("user_code"), "approve").statusCode(403)
                .contentType("application/problem+json").body("type", equalTo(PROBLEM + "second-factor-required"));
        pollFails(grant.getString("device_code"), "authorization-pending", "authorization_pending");
        // refusing needs no second factor
        decide(passwordOnly, grant.getString("user_code"), "deny").statusCode(200).body("status", equalTo("denied"));

        // a Client user is exempt from two-factor: its password sign-in may approve
        String client = Api.createUser("client");
        JsonPath second = authorize("rv", "review-room");
        decide(webSignIn(client), second.getString("user_code"), "approve").statusCode(200);
        TestClock.advance(Duration.ofSeconds(5));
        assertThat(claims(pollSucceeds(second.getString("device_code")).getString("access_token")).getList("amr"))
                .containsExactly("pwd");

        // approved with the password while two-factor was off, redeemed after it was switched on: refused
        Api.twoFactor(false);
        String another = Api.createUser("user");
        JsonPath third = authorize("cli", "build-box");
        decide(webSignIn(another), third.getString("user_code"), "approve").statusCode(200);
        Api.twoFactor(true);
        pollFails(third.getString("device_code"), "access-denied", "access_denied");
    }

    @Test
    void aChallengeTokenCannotApprove() {
        Api.twoFactor(true);
        Api.Enrolled user = Api.enrolledUser();
        JsonPath grant = authorize("cli", null);
        decide(user.challenge(), grant.getString("user_code"), "approve").statusCode(401)
                .body("type", equalTo(PROBLEM + "invalid-token"));
        RestAssured.given().post("/api/v1/device/requests/" + grant.getString("user_code") + "/approve").then()
                .statusCode(401).header("WWW-Authenticate", "Bearer");
        pollFails(grant.getString("device_code"), "authorization-pending", "authorization_pending");
    }

    // ------------------------------------------------------------------------------------------------ the other answers

    @Test
    void deniedTheToolIsToldSoAndTheCodeIsSpent() {
        String token = webSignIn(Api.createUser("user"));
        String name = Api.newLogin("unknown-box");
        JsonPath grant = authorize("cli", name);
        decide(token, grant.getString("user_code"), "deny").statusCode(200).body("status", equalTo("denied"))
                .body("device_name", equalTo(name));
        JsonPath denied = pollFails(grant.getString("device_code"), "access-denied", "access_denied");
        assertThat(denied.getString("detail")).contains("denied");
        // a user code works for one decision: no approval after a denial
        decide(token, grant.getString("user_code"), "approve").statusCode(404);
        TestClock.advance(Duration.ofSeconds(5));
        pollFails(grant.getString("device_code"), "access-denied", "access_denied");
        assertThat(audited("device_authorization_denied", "device '" + name + "', requested from 127.0.0.1")).isEqualTo(1);
    }

    @Test
    void ofTwentyParallelDecisionsOnOneCodeExactlyOneCounts() {
        String token = webSignIn(Api.createUser("user"));
        String name = Api.newLogin("raced");
        JsonPath grant = authorize("cli", name);
        String path = "/api/v1/device/requests/" + grant.getString("user_code");
        // ten approvals and ten denials at once: one of them decides, the rest find nothing waiting
        List<HttpResponse<String>> answers = new java.util.ArrayList<>();
        List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> sent = new java.util.ArrayList<>();
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        for (int i = 0; i < 20; i++) {
            sent.add(client.sendAsync(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                    RestAssured.baseURI + ":" + RestAssured.port + path + (i % 2 == 0 ? "/approve" : "/deny")))
                    .header("Authorization", "Bearer " + token).POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        sent.forEach(f -> answers.add(f.join()));
        assertThat(Parallel.countStatus(answers, 200)).as("decisions taken").isEqualTo(1);
        assertThat(Parallel.countStatus(answers, 404)).isEqualTo(19);
        long decisions = audited("device_authorization_approved", "device '" + name + "'%")
                + audited("device_authorization_denied", "device '" + name + "'%");
        assertThat(decisions).isEqualTo(1);
        String won = answers.stream().filter(a -> a.statusCode() == 200).findFirst().orElseThrow().body();
        TestClock.advance(Duration.ofSeconds(5));
        if (won.contains("\"status\":\"approved\"")) {
            pollSucceeds(grant.getString("device_code"));
        } else {
            pollFails(grant.getString("device_code"), "access-denied", "access_denied");
        }
    }

    @Test
    void anExpiredAuthorizationCanNoLongerBeApprovedOrRedeemed() {
        String token = webSignIn(Api.createUser("user"));
        JsonPath grant = authorize("cli", null);
        JsonPath approvedLate = authorize("cli", null);
        decide(token, approvedLate.getString("user_code"), "approve").statusCode(200);
        TestClock.advance(Duration.ofSeconds(601));
        token = webSignIn(Api.createUser("user"));
        pollFails(grant.getString("device_code"), "expired-token", "expired_token");
        details(token, grant.getString("user_code")).statusCode(404).body("type", equalTo(PROBLEM + "unknown-user-code"));
        decide(token, grant.getString("user_code"), "approve").statusCode(404);
        // approved in time, but not redeemed in time
        pollFails(approvedLate.getString("device_code"), "expired-token", "expired_token");
    }

    @Test
    void pollingFasterThanTheIntervalIsToldToSlowDownAndTheIntervalGrows() {
        JsonPath grant = authorize("cli", null);
        String code = grant.getString("device_code");
        assertThat(pollFails(code, "authorization-pending", "authorization_pending").getInt("interval")).isEqualTo(5);
        // at once again: slow_down, and 5 s more for this and every later poll
        assertThat(pollFails(code, "slow-down", "slow_down").getInt("interval")).isEqualTo(10);
        TestClock.advance(Duration.ofSeconds(6));
        assertThat(pollFails(code, "slow-down", "slow_down").getInt("interval")).isEqualTo(15);
        TestClock.advance(Duration.ofSeconds(15));
        assertThat(pollFails(code, "authorization-pending", "authorization_pending").getInt("interval")).isEqualTo(15);
        byte[] hash = hash(code);
        assertThat(Db.column("select interval_seconds from device_authorization where device_code_hash = ?", (Object) hash))
                .containsExactly(15);
    }

    @Test
    void aWrongUserCodeIsAnsweredAndAudited() {
        String login = Api.createUser("user");
        String token = webSignIn(login);
        authorize("cli", null);
        String wrong = "BCDF-GHJK";
        details(token, wrong).statusCode(404).contentType("application/problem+json")
                .body("type", equalTo(PROBLEM + "unknown-user-code")).body("status", equalTo(404));
        decide(token, wrong, "approve").statusCode(404).body("type", equalTo(PROBLEM + "unknown-user-code"));
        decide(token, wrong, "deny").statusCode(404);
        // what cannot be a code is bad input, not a guess
        for (String malformed : List.of("ABCD-EFGH", "BCDF-GHJ", "BCDF-GHJKL", "BCD1-GHJK")) {
            details(token, malformed).statusCode(400).body("type", equalTo(PROBLEM + "invalid-input"))
                    .body("field", equalTo("user_code"));
        }
        assertThat(Db.count("select count(*) from audit_event where type = 'device_user_code_failed' and subject_login = ? "
                + "and source_ip = '127.0.0.1'", login)).isEqualTo(3);
    }

    @Test
    void expiredAuthorizationsAreRemoved() {
        JsonPath old = authorize("cli", null);
        TestClock.advance(Duration.ofSeconds(600).plus(DeviceCleanup.KEPT_AFTER_EXPIRY).plusSeconds(1));
        JsonPath fresh = authorize("cli", null);
        cleanup.cleanup().await().atMost(Duration.ofSeconds(10));
        assertThat(Db.count("select count(*) from device_authorization where device_code_hash = ?", (Object) hash(old.getString("device_code"))))
                .isZero();
        assertThat(Db.count("select count(*) from device_authorization where device_code_hash = ?", (Object) hash(fresh.getString("device_code"))))
                .isEqualTo(1);
        pollFails(old.getString("device_code"), "invalid-grant", "invalid_grant");
    }

    static byte[] hash(String deviceCode) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(Base64.getUrlDecoder().decode(deviceCode));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
