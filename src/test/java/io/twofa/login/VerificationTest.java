package io.twofa.login;

import static io.twofa.support.Api.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.twofa.support.Api;
import io.twofa.support.WithTwoFactorOn;
import io.twofa.support.Parallel;
import io.twofa.support.TestClock;

@QuarkusTest
class VerificationTest extends WithTwoFactorOn {

    private static Response verify(String challenge, String code) {
        return bearer(challenge).body(Map.of("code", code)).post("/api/v1/auth/verify");
    }

    @Test
    void acceptsStepsTminus1ToTplus1AndNoFurther() {
        Api.Enrolled user = Api.enrolledUser();
        TestClock.toStartOfNextStep();
        String challenge = user.challenge();
        Response tooEarly = verify(challenge, user.code(-2));
        Response tooLate = verify(challenge, user.code(2));
        assertThat(tooEarly.statusCode()).isEqualTo(401);
        assertThat(tooLate.statusCode()).isEqualTo(401);
        // each success spends its challenge: every further code needs a new password step
        assertThat(verify(challenge, user.code(-1)).statusCode()).isEqualTo(200);
        assertThat(verify(user.challenge(), user.code(0)).statusCode()).isEqualTo(200);
        Response next = verify(user.challenge(), user.code(1));
        assertThat(next.statusCode()).isEqualTo(200);
        assertThat(next.jsonPath().getString("status")).isEqualTo("authenticated");
        assertThat(next.jsonPath().getString("backup_codes_remaining")).isNull();
    }

    @Test
    void aCodeWorksOnceAndOlderStepsAfterANewerOneAreRefused() {
        Api.Enrolled user = Api.enrolledUser();
        TestClock.toStartOfNextStep();
        String challenge = user.challenge();
        String current = user.code(0);
        Response first = verify(challenge, current);
        assertThat(first.statusCode()).isEqualTo(200);
        String again = user.challenge();
        Response replay = verify(again, current);
        assertThat(replay.statusCode()).isEqualTo(401);
        Response older = verify(again, user.code(-1));
        assertThat(older.statusCode()).isEqualTo(401);
        // wrong, reused and malformed codes are indistinguishable
        Response wrong = verify(again, "000000".equals(user.code(0)) ? "111111" : "000000");
        Response malformed = verify(again, "12ab");
        assertThat(replay.asString()).isEqualTo(older.asString()).isEqualTo(wrong.asString()).isEqualTo(malformed.asString());
    }

    @Test
    void twentyParallelRequestsWithOneCodeYieldExactlyOneToken() {
        Api.Enrolled user = Api.enrolledUser();
        TestClock.toStartOfNextStep();
        String challenge = user.challenge();
        String code = user.code(0);
        List<HttpResponse<String>> responses = Parallel.post("/api/v1/auth/verify", challenge, 20,
                i -> "{\"code\":\"" + code + "\"}");
        assertThat(Parallel.countStatus(responses, 200)).isEqualTo(1);
        // the losers are refused: five attempts are evaluated (one wins, four fail), the rest are throttled without
        // evaluation, unless they come after the winner's reset of the counter, and then they fail as replays
        assertThat(Parallel.countStatus(responses, 401) + Parallel.countStatus(responses, 429)).isEqualTo(19);
        assertThat(Parallel.countStatus(responses, 401)).isGreaterThanOrEqualTo(4);
        assertThat(responses.stream().filter(r -> r.body().contains("access_token")).count()).isEqualTo(1);
    }

    @Test
    void throttlingAfterFiveFailuresDoesNotEvaluateCodesAndASuccessResets() {
        Api.Enrolled user = Api.enrolledUser();
        TestClock.toStartOfNextStep();
        String challenge = user.challenge();
        String wrong = "000000".equals(user.code(0)) || "000000".equals(user.code(-1)) || "000000".equals(user.code(1))
                ? "999999" : "000000";
        for (int i = 0; i < 5; i++) {
            verify(challenge, wrong).then().statusCode(401);
        }
        verify(challenge, wrong).then().statusCode(429).header("Retry-After", equalTo("30"))
                .contentType("application/problem+json");
        // while throttled a correct code is not even evaluated: it is still unused afterwards
        verify(challenge, user.code(0)).then().statusCode(429);
        TestClock.advance(Duration.ofSeconds(31));
        // the wait doubles after the next failure
        String later = user.code(0);
        verify(challenge, wrong).then().statusCode(401);
        verify(challenge, wrong).then().statusCode(429).header("Retry-After", equalTo("60"));
        TestClock.advance(Duration.ofSeconds(61));
        verify(user.challenge(), user.code(0)).then().statusCode(200);
        assertThat(later).isNotNull();
        for (int i = 0; i < 5; i++) {
            verify(challenge, wrong).then().statusCode(401);
        }
    }

    @Test
    void newChallengeTokensDoNotResetTheCounter() {
        Api.Enrolled user = Api.enrolledUser();
        for (int i = 0; i < 5; i++) {
            verify(user.challenge(), "12345x").then().statusCode(401);
        }
        verify(user.challenge(), user.code(0)).then().statusCode(429);
    }

    @Test
    void aHundredConsecutiveFailuresLockTheSecondFactorUntilAnAdminReset() {
        Api.Enrolled user = Api.enrolledUser();
        for (int i = 1; i <= 100; i++) {
            // a fresh challenge each time: the wait below outlives a challenge token
            verify(user.challenge(), "abcdef").then().statusCode(401);
            TestClock.advance(Duration.ofMinutes(16));
        }
        verify(user.challenge(), user.code(0)).then().statusCode(403).body("type", equalTo("urn:twofa:problem:second-factor-locked"));
        TestClock.advance(Duration.ofHours(24));
        verify(user.challenge(), user.code(0)).then().statusCode(403);
        bearer(Api.adminToken()).get("/api/v1/users/" + user.login()).then().body("second_factor_locked", equalTo(true));
        bearer(Api.adminToken()).delete("/api/v1/users/" + user.login() + "/second-factor").then().statusCode(204);
        bearer(Api.adminToken()).get("/api/v1/users/" + user.login()).then().body("second_factor_locked", equalTo(false))
                .body("enrolled", equalTo(false));
    }

    @Test
    void exactlyOneOfCodeOrBackupCode() {
        Api.Enrolled user = Api.enrolledUser();
        String challenge = user.challenge();
        bearer(challenge).body("{}").post("/api/v1/auth/verify").then().statusCode(400);
        bearer(challenge).body(Map.of("code", user.code(0), "backup_code", user.backupCodes().get(0)))
                .post("/api/v1/auth/verify").then().statusCode(400);
        bearer(challenge).body("{\"code\": 123456}").post("/api/v1/auth/verify").then().statusCode(400)
                .contentType("application/problem+json");
    }

    @Test
    void anEnrolmentChallengeCannotVerify() {
        String challenge = Api.login(Api.createUser("user"), Api.PASSWORD).getString("challenge_token");
        verify(challenge, "123456").then().statusCode(403);
    }
}
