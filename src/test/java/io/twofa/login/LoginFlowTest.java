package io.twofa.login;

import static io.twofa.support.Api.PASSWORD;
import static io.twofa.support.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.twofa.support.Api;
import io.twofa.support.ResetsSharedState;
import io.twofa.support.TestClock;

@QuarkusTest
class LoginFlowTest extends ResetsSharedState {

    static JsonPath claims(String jwt) {
        return JsonPath.from(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1])));
    }

    @Test
    void policyOffGivesAnAccessTokenAfterThePasswordAlone() {
        Api.twoFactor(false);
        String login = Api.createUser("user");
        JsonPath res = Api.login(login, PASSWORD);
        assertThat(res.getString("status")).isEqualTo("authenticated");
        assertThat(res.getString("token_type")).isEqualTo("Bearer");
        assertThat(res.getInt("expires_in")).isEqualTo(600);
        assertThat(res.getString("challenge_token")).isNull();
        JsonPath claims = claims(res.getString("access_token"));
        assertThat(claims.getList("amr")).containsExactly("pwd");
        assertThat(claims.getString("upn")).isEqualTo(login);
        assertThat(claims.getList("groups")).containsExactly("user");
        assertThat(claims.getString("client")).isEqualTo("desktop");
        assertThat(claims.getString("factor")).isNull();
    }

    @Test
    void policyOnAndNotEnrolledAsksForEnrolmentWithAChallengeOnly() {
        Api.twoFactor(true);
        JsonPath res = Api.login(Api.createUser("user"), PASSWORD);
        assertThat(res.getString("status")).isEqualTo("enrollment_required");
        assertThat(res.getString("access_token")).isNull();
        assertThat(res.getInt("expires_in")).isBetween(1, 300);
        assertThat(claims(res.getString("challenge_token")).getString("purpose")).isEqualTo("enrollment");
    }

    @Test
    void policyOnAndEnrolledAsksForTheSecondFactor() {
        Api.twoFactor(true);
        Api.Enrolled user = Api.enrolledUser();
        JsonPath res = Api.login(user.login(), PASSWORD);
        assertThat(res.getString("status")).isEqualTo("second_factor_required");
        assertThat(res.getList("methods")).containsExactly("totp", "backup_code");
        assertThat(res.getString("access_token")).isNull();
        assertThat(claims(res.getString("challenge_token")).getString("purpose")).isEqualTo("second_factor");
    }

    @Test
    void clientUsersAreExemptWhilePolicyIsOn() {
        Api.twoFactor(true);
        JsonPath res = Api.login(Api.createUser("client"), PASSWORD);
        assertThat(res.getString("status")).isEqualTo("authenticated");
        assertThat(claims(res.getString("access_token")).getList("groups")).containsExactly("client");
    }

    @Test
    void wrongPasswordAndUnknownLoginGetTheSameAnswer() {
        String login = Api.createUser("user");
        Response wrong = json().body(Map.of("login", login, "password", "not the password")).post("/api/v1/auth/login");
        Response unknown = json().body(Map.of("login", Api.newLogin("nobody"), "password", "not the password"))
                .post("/api/v1/auth/login");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(unknown.statusCode()).isEqualTo(401);
        assertThat(wrong.contentType()).isEqualTo("application/problem+json");
        assertThat(unknown.contentType()).isEqualTo(wrong.contentType());
        assertThat(unknown.asString()).isEqualTo(wrong.asString());
        assertThat(unknown.headers().asList().stream().map(h -> h.getName().toLowerCase()).sorted().toList())
                .isEqualTo(wrong.headers().asList().stream().map(h -> h.getName().toLowerCase()).sorted().toList());
    }

    @Test
    void loginsAreCaseInsensitive() {
        String login = Api.createUser("user");
        assertThat(Api.login(login.toUpperCase(), PASSWORD).getString("status")).isEqualTo("authenticated");
    }

    @Test
    void passwordFailuresAreThrottledPerLoginAlikeForUnknownLogins() {
        String known = Api.createUser("user");
        String unknown = Api.newLogin("ghost");
        for (String login : new String[] { known, unknown }) {
            for (int i = 0; i < 5; i++) {
                json().body(Map.of("login", login, "password", "wrong")).post("/api/v1/auth/login").then().statusCode(401);
            }
            json().body(Map.of("login", login, "password", "wrong")).post("/api/v1/auth/login").then().statusCode(429)
                    .header("Retry-After", equalTo("30")).contentType("application/problem+json");
        }
        // throttled: even the right password is not evaluated
        json().body(Map.of("login", known, "password", PASSWORD)).post("/api/v1/auth/login").then().statusCode(429);
        TestClock.advance(Duration.ofSeconds(31));
        assertThat(Api.login(known, PASSWORD).getString("status")).isEqualTo("authenticated");
        // the success reset the counter: five more failures are allowed before the next wait
        for (int i = 0; i < 5; i++) {
            json().body(Map.of("login", known, "password", "wrong")).post("/api/v1/auth/login").then().statusCode(401);
        }
    }

    @Test
    void passwordFailuresNeverTouchTheSecondFactorCounter() {
        Api.twoFactor(true);
        Api.Enrolled user = Api.enrolledUser();
        for (int i = 0; i < 7; i++) {
            json().body(Map.of("login", user.login(), "password", "wrong")).post("/api/v1/auth/login");
        }
        Api.bearer(Api.adminToken()).get("/api/v1/users/" + user.login()).then().statusCode(200)
                .body("second_factor_consecutive_failures", equalTo(0))
                .body("second_factor_locked", equalTo(false));
        TestClock.advance(Duration.ofMinutes(16));
        String challenge = user.challenge();
        Api.bearer(challenge).body(Map.of("code", user.code(0))).post("/api/v1/auth/verify").then().statusCode(200);
    }

    @Test
    void gracePeriodLetsUnenrolledUsersInUntilEnforceFrom() {
        String login = Api.createUser("user");
        Instant due = TestClock.now().plus(Duration.ofDays(7)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Api.policy(Map.of("two_factor_required", true, "enforce_from", due.toString()));
        JsonPath before = Api.login(login, PASSWORD);
        assertThat(before.getString("status")).isEqualTo("authenticated");
        assertThat(Instant.parse(before.getString("enrollment_due"))).isEqualTo(due);
        assertThat(claims(before.getString("access_token")).getList("amr")).containsExactly("pwd");
        TestClock.advance(Duration.ofDays(8));
        assertThat(Api.login(login, PASSWORD).getString("status")).isEqualTo("enrollment_required");
    }

    @Test
    void invalidLoginRequestsNameTheField() {
        json().body(Map.of("password", "x")).post("/api/v1/auth/login").then().statusCode(400)
                .contentType("application/problem+json").body("field", equalTo("login"));
        json().body(Map.of("login", "a", "password", "x", "client", "browser")).post("/api/v1/auth/login").then()
                .statusCode(400).body("field", equalTo("client"));
        json().body(Map.of("login", "a".repeat(129), "password", "x")).post("/api/v1/auth/login").then()
                .statusCode(400).body("field", equalTo("login"));
    }
}
