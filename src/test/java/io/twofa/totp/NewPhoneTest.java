package io.twofa.totp;

import static io.twofa.support.Api.PASSWORD;
import static io.twofa.support.Api.bearer;
import static io.twofa.support.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.twofa.crypto.Base32Secret;
import io.twofa.support.Api;
import io.twofa.support.Db;
import io.twofa.support.Parallel;
import io.twofa.support.TestClock;
import io.twofa.support.WithTwoFactorOn;

/**
 * Moving to a new phone (issue 15): the new key and its confirmation are reachable only with the enrolment token
 * returned when the password was re-entered, never with the bare access token; wrong codes at confirmation count in the
 * second-factor throttle, as at verify.
 */
@QuarkusTest
class NewPhoneTest extends WithTwoFactorOn {

    private static final String WRONG_STEP = "urn:twofa:problem:wrong-step";

    private static String code(String secret, int stepOffset) {
        return Totp.format(Totp.hotp(Base32Secret.decode(secret), Totp.step(TestClock.now()) + stepOffset, Totp.HMAC_SHA1, 6), 6);
    }

    private static String activeSecretCiphertext(String login) {
        return java.util.HexFormat.of().formatHex((byte[]) Db.column("select a.secret_ciphertext from authenticator a "
                + "join account u on u.id = a.account_id where u.login = ? and a.status = 'active'", login).get(0));
    }

    @Test
    void withOnlyAnAccessTokenThePendingKeyCanBeNeitherReadNorConfirmed() throws Exception {
        Api.Enrolled user = Api.enrolledUser();
        TestClock.toStartOfNextStep();
        // a desktop login: a session with a refresh token, which the new phone ends
        JsonPath login = bearer(user.challenge()).body(Map.of("code", user.code(0))).post("/api/v1/auth/verify").then()
                .statusCode(200).extract().jsonPath();
        String access = login.getString("access_token");
        String before = activeSecretCiphertext(user.login());

        JsonPath started = bearer(access).body(Map.of("password", PASSWORD)).post("/api/v1/enrollment").then().statusCode(201)
                .extract().jsonPath();
        String secret = started.getString("secret");
        String enrollmentToken = started.getString("enrollment_token");
        assertThat(enrollmentToken).isNotBlank();
        JsonPath tokenClaims = Api.claims(enrollmentToken);
        assertThat(tokenClaims.getString("purpose")).isEqualTo("new_phone");
        assertThat(tokenClaims.getString("aud")).isNotEqualTo("flow-production-tracking");
        assertThat(started.getInt("expires_in")).isBetween(290, 300);

        // the thief's position: an access token (and the answer to a request they could not make without the password)
        bearer(access).accept("image/png, application/problem+json").get("/api/v1/enrollment/qr.png").then().statusCode(403)
                .contentType("application/problem+json").body("type", equalTo(WRONG_STEP));
        bearer(access).body(Map.of("code", code(secret, 0))).post("/api/v1/enrollment/confirm").then().statusCode(403)
                .contentType("application/problem+json").body("type", equalTo(WRONG_STEP));
        assertThat(activeSecretCiphertext(user.login())).as("the old authenticator is still the active one").isEqualTo(before);
        assertThat(Db.count("select count(*) from authenticator a join account u on u.id = a.account_id "
                + "where u.login = ? and a.status = 'pending'", user.login())).isEqualTo(1);

        // the enrolment token is no access token and no login challenge
        bearer(enrollmentToken).get("/api/v1/me").then().statusCode(401);
        bearer(enrollmentToken).body(Map.of("code", code(secret, 0))).post("/api/v1/auth/verify").then().statusCode(403)
                .body("type", equalTo(WRONG_STEP));
        bearer(enrollmentToken).body("{}").post("/api/v1/enrollment").then().statusCode(403).body("type", equalTo(WRONG_STEP));

        // with it: the QR code, then the confirmation
        byte[] png = bearer(enrollmentToken).accept("image/png").get("/api/v1/enrollment/qr.png").then().statusCode(200)
                .contentType("image/png").extract().asByteArray();
        assertThat(EnrollmentFlowTest.decodeQr(png)).isEqualTo(started.getString("otpauth_uri"));
        JsonPath confirmed = bearer(enrollmentToken).body(Map.of("code", code(secret, 0))).post("/api/v1/enrollment/confirm")
                .then().statusCode(200).extract().jsonPath();
        assertThat(confirmed.getString("status")).isEqualTo("enrolled");
        assertThat(confirmed.getList("backup_codes")).hasSize(10);
        assertThat(confirmed.getString("access_token")).as("a new phone is no login").isNull();
        assertThat(confirmed.getString("refresh_token")).isNull();
        assertThat(activeSecretCiphertext(user.login())).isNotEqualTo(before);
        // single use
        bearer(enrollmentToken).body(Map.of("code", code(secret, 1))).post("/api/v1/enrollment/confirm").then().statusCode(401)
                .body("type", equalTo("urn:twofa:problem:challenge-spent"));
        // the old sessions ended with the old phone
        assertThat(Db.column("select f.revoked_reason from refresh_family f join account a on a.id = f.account_id "
                + "where a.login = ?", user.login())).containsOnly("second_factor_changed");
        json().body(Map.of("refresh_token", login.getString("refresh_token"))).post("/api/v1/auth/refresh").then().statusCode(401);
        // and the old backup codes with the old phone
        bearer(user.challenge()).body(Map.of("backup_code", user.backupCodes().get(0))).post("/api/v1/auth/verify").then()
                .statusCode(401);
    }

    @Test
    void twentyWrongConfirmationCodesAreThrottledAfterFive() {
        Api.Enrolled user = Api.enrolledUser();
        String access = Api.accessTokenOf(user);
        JsonPath started = bearer(access).body(Map.of("password", PASSWORD)).post("/api/v1/enrollment").then().statusCode(201)
                .extract().jsonPath();
        String secret = started.getString("secret");
        String wrong = wrongCode(secret);

        List<HttpResponse<String>> answers = Parallel.post("/api/v1/enrollment/confirm", started.getString("enrollment_token"), 20,
                i -> "{\"code\":\"" + wrong + "\"}");

        assertThat(Parallel.countStatus(answers, 401)).as("codes evaluated").isEqualTo(5);
        assertThat(Parallel.countStatus(answers, 429)).as("attempts refused unevaluated").isEqualTo(15);
        assertThat(answers.stream().filter(r -> r.statusCode() == 429))
                .allSatisfy(r -> assertThat(r.headers().firstValue("Retry-After")).isPresent());
        // throttled: even the right code is not evaluated now
        bearer(started.getString("enrollment_token")).body(Map.of("code", code(secret, 0))).post("/api/v1/enrollment/confirm")
                .then().statusCode(429);
        bearer(Api.adminToken()).get("/api/v1/users/" + user.login()).then().body("second_factor_consecutive_failures", equalTo(5))
                .body("second_factor_throttled_until", org.hamcrest.Matchers.notNullValue());
        // and it is the verify throttle: the next login's code waits too
        bearer(user.challenge()).body(Map.of("code", user.code(0))).post("/api/v1/auth/verify").then().statusCode(429);
        assertThat(Db.count("select count(*) from audit_event where type = 'second_factor_throttled' and subject_login = ? "
                + "and detail = 'at enrolment'", user.login())).isEqualTo(16);
    }

    @Test
    void wrongCodesAtTheLoginFlowEnrolmentCountToo() {
        String login = Api.createUser("user");
        String challenge = Api.login(login, PASSWORD).getString("challenge_token");
        String secret = bearer(challenge).body("{}").post("/api/v1/enrollment").then().statusCode(201).extract().path("secret");
        String wrong = wrongCode(secret);
        for (int i = 0; i < 5; i++) {
            bearer(challenge).body(Map.of("code", wrong)).post("/api/v1/enrollment/confirm").then().statusCode(401);
        }
        bearer(challenge).body(Map.of("code", code(secret, 0))).post("/api/v1/enrollment/confirm").then().statusCode(429)
                .header("Retry-After", equalTo("30"));
        bearer(Api.adminToken()).get("/api/v1/users/" + login).then().body("enrolled", equalTo(false));
    }

    private static String wrongCode(String secret) {
        java.util.Set<String> near = new java.util.HashSet<>();
        for (int offset = -3; offset <= 3; offset++) {
            near.add(code(secret, offset));
        }
        for (int candidate = 123456;; candidate += 111111) {
            String candidateCode = Totp.format(candidate % 1_000_000, 6);
            if (!near.contains(candidateCode)) {
                return candidateCode;
            }
        }
    }
}
