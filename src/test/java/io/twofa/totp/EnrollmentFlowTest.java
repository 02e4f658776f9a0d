package io.twofa.totp;

import static io.twofa.support.Api.PASSWORD;
import static io.twofa.support.Api.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;


import org.junit.jupiter.api.Test;


import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.twofa.crypto.Base32Secret;
import io.twofa.totp.Totp;
import io.twofa.support.Api;
import io.twofa.support.WithTwoFactorOn;
import io.twofa.support.Db;
import io.twofa.support.QrCodes;
import io.twofa.support.TestClock;

@QuarkusTest
class EnrollmentFlowTest extends WithTwoFactorOn {

    static String decodeQr(byte[] png) throws Exception {
        return QrCodes.decode(png);
    }

    private static String code(String secret, int stepOffset) {
        return Totp.format(Totp.hotp(Base32Secret.decode(secret), Totp.step(TestClock.now()) + stepOffset, Totp.HMAC_SHA1, 6), 6);
    }

    private static boolean enrolled(String login) {
        return bearer(Api.adminToken()).get("/api/v1/users/" + login).then().statusCode(200).extract().path("enrolled");
    }

    @Test
    void loginScanVerifyAndSaveThenLogInWithACode() throws Exception {
        TestClock.toStartOfNextStep();
        String login = Api.createUser("user");
        JsonPath first = Api.login(login, PASSWORD);
        assertThat(first.getString("status")).isEqualTo("enrollment_required");
        String challenge = first.getString("challenge_token");

        JsonPath started = bearer(challenge).body("{}").post("/api/v1/enrollment").then().statusCode(201)
                .header("Cache-Control", "no-store").extract().jsonPath();
        String secret = started.getString("secret");
        String uri = started.getString("otpauth_uri");
        assertThat(secret).matches("[A-Z2-7]{32}");
        assertThat(Base32Secret.decode(secret)).hasSize(20);
        assertThat(uri).isEqualTo("otpauth://totp/Flow%20Production%20Tracking:" + login + "?secret=" + secret
                + "&issuer=Flow%20Production%20Tracking&algorithm=SHA1&digits=6&period=30");
        // bounded by the challenge token, which lives 5 minutes
        assertThat(started.getInt("expires_in")).isBetween(290, 300);
        String dataUri = started.getString("qr_png");
        assertThat(dataUri).startsWith("data:image/png;base64,");
        assertThat(decodeQr(Base64.getDecoder().decode(dataUri.substring(dataUri.indexOf(',') + 1)))).isEqualTo(uri);
        byte[] png = bearer(challenge).accept("image/png").get("/api/v1/enrollment/qr.png").then().statusCode(200).contentType("image/png")
                .extract().asByteArray();
        assertThat(decodeQr(png)).isEqualTo(uri);

        // a wrong code leaves the account unenrolled
        bearer(challenge).body(Map.of("code", code(secret, 5))).post("/api/v1/enrollment/confirm").then().statusCode(401);
        assertThat(enrolled(login)).isFalse();

        JsonPath confirmed = bearer(challenge).body(Map.of("code", code(secret, 0))).post("/api/v1/enrollment/confirm")
                .then().statusCode(200).extract().jsonPath();
        assertThat(confirmed.getString("status")).isEqualTo("enrolled");
        assertThat(confirmed.getList("backup_codes")).hasSize(10);
        String token = confirmed.getString("access_token");
        JsonPath claims = JsonPath.from(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1])));
        assertThat(claims.getList("amr")).containsExactly("pwd", "otp", "mfa");
        assertThat(claims.getString("factor")).isEqualTo("totp");
        assertThat(enrolled(login)).isTrue();

        // the challenge is spent with the enrolment: no QR code any more
        bearer(challenge).accept("image/png").get("/api/v1/enrollment/qr.png").then().statusCode(401)
                .contentType("application/problem+json").body("type", org.hamcrest.Matchers.equalTo("urn:twofa:problem:challenge-spent"));

        JsonPath second = Api.login(login, PASSWORD);
        assertThat(second.getString("status")).isEqualTo("second_factor_required");
        String verified = bearer(second.getString("challenge_token")).body(Map.of("code", code(secret, 1)))
                .post("/api/v1/auth/verify").then().statusCode(200).extract().path("access_token");
        bearer(verified).get("/api/v1/me").then().statusCode(200).body("account.enrolled", equalTo(true))
                .body("amr", equalTo(List.of("pwd", "otp", "mfa")));

        // the secret is never returned again and is stored only encrypted
        String later = bearer(verified).get("/api/v1/me").asString() + bearer(Api.adminToken()).get("/api/v1/users/" + login).asString();
        assertThat(later).doesNotContain(secret);
        List<Object> stored = Db.column("select a.secret_ciphertext from authenticator a join account u on u.id = a.account_id "
                + "where u.login = ?", login);
        assertThat(stored).hasSize(1);
        byte[] ciphertext = (byte[]) stored.get(0);
        assertThat(ciphertext).hasSize(12 + 20 + 16);
        String asText = new String(ciphertext, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(asText).doesNotContain(secret);
        assertThat(java.util.Collections.indexOfSubList(toList(ciphertext), toList(Base32Secret.decode(secret)))).isEqualTo(-1);
        assertThat(Db.column("select a.secret_key_id from authenticator a join account u on u.id = a.account_id where u.login = ?",
                login).get(0)).isNotNull();
    }

    private static List<Byte> toList(byte[] bytes) {
        java.util.ArrayList<Byte> list = new java.util.ArrayList<>();
        for (byte b : bytes) {
            list.add(b);
        }
        return list;
    }

    @Test
    void aPendingSecretExpiresAfterTenMinutes() {
        String login = Api.createUser("user");
        String challenge = Api.login(login, PASSWORD).getString("challenge_token");
        String secret = bearer(challenge).body("{}").post("/api/v1/enrollment").then().statusCode(201).extract().path("secret");
        TestClock.advance(Duration.ofMinutes(4));
        // a fresh challenge (the first one lives 5 minutes), 11 minutes after the secret was made
        TestClock.advance(Duration.ofMinutes(7));
        String fresh = Api.login(login, PASSWORD).getString("challenge_token");
        bearer(fresh).body(Map.of("code", code(secret, 0))).post("/api/v1/enrollment/confirm").then().statusCode(409)
                .contentType("application/problem+json");
        assertThat(enrolled(login)).isFalse();
    }

    @Test
    void aPasswordAloneCannotReplaceAnExistingSecondFactor() {
        Api.Enrolled user = Api.enrolledUser();
        String challenge = user.challenge();
        bearer(challenge).body("{}").post("/api/v1/enrollment").then().statusCode(403).contentType("application/problem+json");
        bearer(challenge).body(Map.of("code", user.code(0))).post("/api/v1/enrollment/confirm").then().statusCode(403);
    }

    @Test
    void movingToANewPhoneNeedsThePasswordAndReplacesTheOldAuthenticator() {
        Api.Enrolled user = Api.enrolledUser();
        TestClock.toStartOfNextStep();
        String access = bearer(user.challenge()).body(Map.of("code", user.code(0))).post("/api/v1/auth/verify").then()
                .statusCode(200).extract().path("access_token");
        bearer(access).body("{}").post("/api/v1/enrollment").then().statusCode(400);
        bearer(access).body(Map.of("password", "wrong")).post("/api/v1/enrollment").then().statusCode(401);
        JsonPath started = bearer(access).body(Map.of("password", PASSWORD)).post("/api/v1/enrollment").then().statusCode(201)
                .extract().jsonPath();
        String newSecret = started.getString("secret");
        String enrollmentToken = started.getString("enrollment_token");
        // until confirmed, the old phone still works
        TestClock.advance(Duration.ofSeconds(30));
        bearer(user.challenge()).body(Map.of("code", user.code(0))).post("/api/v1/auth/verify").then().statusCode(200);
        JsonPath confirmed = bearer(enrollmentToken).body(Map.of("code", code(newSecret, 0))).post("/api/v1/enrollment/confirm").then()
                .statusCode(200).extract().jsonPath();
        assertThat(confirmed.getList("backup_codes")).hasSize(10);
        assertThat(confirmed.getString("access_token")).isNull();
        assertThat(Db.count("select count(*) from authenticator a join account u on u.id = a.account_id where u.login = ?",
                user.login())).isEqualTo(1);
        TestClock.advance(Duration.ofSeconds(30));
        bearer(user.challenge()).body(Map.of("code", user.code(0))).post("/api/v1/auth/verify").then().statusCode(401);
        bearer(user.challenge()).body(Map.of("code", code(newSecret, 0))).post("/api/v1/auth/verify").then().statusCode(200);
    }

    @Test
    void anAdminResetMakesTheUserEnrolAgain() {
        Api.Enrolled user = Api.enrolledUser();
        String userToken = Api.login(Api.createUser("user"), PASSWORD).getString("challenge_token");
        bearer(userToken).delete("/api/v1/users/" + user.login() + "/second-factor").then().statusCode(401);
        bearer(Api.adminToken()).delete("/api/v1/users/" + user.login() + "/second-factor").then().statusCode(204);
        assertThat(Api.login(user.login(), PASSWORD).getString("status")).isEqualTo("enrollment_required");
        assertThat(Db.count("select count(*) from backup_code b join account u on u.id = b.account_id where u.login = ?",
                user.login())).isZero();
        bearer(Api.adminToken()).get("/api/v1/audit-events?type=second_factor_reset&login=" + user.login()).then()
                .statusCode(200).body("events.size()", equalTo(1)).body("events[0].actor", equalTo("admin"));
        bearer(Api.adminToken()).delete("/api/v1/users/" + Api.newLogin("nobody") + "/second-factor").then().statusCode(404);
    }

    @Test
    void clientUsersCannotEnrol() {
        String access = Api.login(Api.createUser("client"), PASSWORD).getString("access_token");
        bearer(access).body(Map.of("password", PASSWORD)).post("/api/v1/enrollment").then().statusCode(403)
                .contentType("application/problem+json");
    }
}
