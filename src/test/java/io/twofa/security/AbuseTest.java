package io.twofa.security;

import static io.twofa.support.Api.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.twofa.support.Api;
import io.twofa.support.WithTwoFactorOn;
import io.twofa.support.Db;
import io.twofa.support.Parallel;
import io.twofa.support.TestClock;

/** The attacks that broke other two-factor products, each a test that fails if the bug comes back. */
@QuarkusTest
class AbuseTest extends WithTwoFactorOn {

    private static long auditCount(String login, String type) {
        return Db.count("select count(*) from audit_event where subject_login = ? and type = ?", login, type);
    }

    @Test
    void aParallelBurstOf200WrongCodesGetsAtMostFiveEvaluated() {
        Api.Enrolled user = Api.enrolledUser();
        String challenge = user.challenge();
        List<HttpResponse<String>> responses = Parallel.post("/api/v1/auth/verify", challenge, 200, i -> "{\"code\":\"00000" + (i % 10) + "\"}");
        long refused = Parallel.countStatus(responses, 401);
        long throttled = Parallel.countStatus(responses, 429);
        assertThat(refused + throttled + Parallel.countStatus(responses, 200)).isEqualTo(200);
        // the audit trail counts what was evaluated
        long evaluated = auditCount(user.login(), "second_factor_failed") + auditCount(user.login(), "second_factor_succeeded");
        assertThat(evaluated).isLessThanOrEqualTo(5);
        assertThat(auditCount(user.login(), "second_factor_throttled")).isEqualTo(throttled);
        assertThat(throttled).isGreaterThanOrEqualTo(195);
        assertThat(responses).filteredOn(r -> r.statusCode() == 429)
                .allSatisfy(r -> assertThat(r.headers().firstValue("Retry-After")).isPresent());
    }

    @Test
    void fiftyWayReplayOfOneTotpCodeSucceedsOnce() {
        Api.Enrolled user = Api.enrolledUser();
        TestClock.toStartOfNextStep();
        String code = user.code(0);
        List<HttpResponse<String>> responses = Parallel.post("/api/v1/auth/verify", user.challenge(), 50,
                i -> "{\"code\":\"" + code + "\"}");
        assertThat(Parallel.countStatus(responses, 200)).isEqualTo(1);
        assertThat(auditCount(user.login(), "second_factor_succeeded")).isEqualTo(1);
    }

    @Test
    void fiftyWayUseOfOneBackupCodeSucceedsOnce() {
        Api.Enrolled user = Api.enrolledUser();
        String code = user.backupCodes().get(3);
        List<HttpResponse<String>> responses = Parallel.post("/api/v1/auth/verify", user.challenge(), 50,
                i -> "{\"backup_code\":\"" + code + "\"}");
        assertThat(Parallel.countStatus(responses, 200)).isEqualTo(1);
        assertThat(auditCount(user.login(), "backup_code_used")).isEqualTo(1);
    }

    /** Everything the account owns, as stored: nothing may change but the counted failure. */
    private static String storedState(String login) {
        return Db.column("select concat_ws('|', u.password_hash, u.role, "
                + "(select string_agg(a.status || ':' || a.last_used_step || ':' || encode(a.secret_ciphertext, 'hex'), ',' order by a.id) from authenticator a where a.account_id = u.id), "
                + "(select string_agg(encode(b.code_hash, 'hex') || ':' || coalesce(b.used_at::text, '-'), ',' order by b.id) from backup_code b where b.account_id = u.id)) "
                + "from account u where u.login = ?", login).get(0).toString();
    }

    private static int failures(String login) {
        return bearer(Api.adminToken()).get("/api/v1/users/" + login).then().statusCode(200).extract()
                .path("second_factor_consecutive_failures");
    }

    @Test
    void hostileCodesAreCountedFailuresAndChangeNothingElse() {
        Api.Enrolled user = Api.enrolledUser();
        String before = storedState(user.login());
        long accounts = Db.count("select count(*) from account");
        String[] hostile = { "' OR '1'='1", "123456'; DELETE FROM backup_code; --", "１２３４５６", "١٢٣٤٥٦", "12345",
                "1234567" };
        int expected = 0;
        for (String code : hostile) {
            Response r = bearer(user.challenge()).body(Map.of("code", code)).post("/api/v1/auth/verify");
            assertThat(r.statusCode()).as(code).isIn(401, 429);
            assertThat(r.contentType()).isEqualTo("application/problem+json");
            expected++;
            if (expected >= 5) {
                TestClock.advance(java.time.Duration.ofMinutes(16));
            }
        }
        assertThat(failures(user.login())).isEqualTo(expected);
        bearer(user.challenge()).body(Map.of("backup_code", "' OR used_at IS NULL --")).post("/api/v1/auth/verify").then()
                .statusCode(401);
        assertThat(storedState(user.login())).isEqualTo(before);
        assertThat(Db.count("select count(*) from account")).isEqualTo(accounts);
    }

    @Test
    void malformedRequestsAre4xxAndAreNotEvenCounted() {
        Api.Enrolled user = Api.enrolledUser();
        String before = storedState(user.login());
        String challenge = user.challenge();
        String[] bodies = { "{\"code\": 123456}", "{\"code\": null}", "{\"code\": [\"123456\"]}", "{\"code\": {\"$ne\": 1}}",
                "{\"code\": \"1\", \"code\": \"2\"}", "{\"code\": " + "[".repeat(3000) + "]".repeat(3000) + "}", "{\"code\":",
                "{\"code\": \"123456\", \"extra\": 1}", "{\"backup_code\": 42}", "null" };
        for (String body : bodies) {
            Response r = bearer(challenge).body(body).post("/api/v1/auth/verify");
            assertThat(r.statusCode()).as(body.length() > 60 ? body.substring(0, 60) : body).isEqualTo(400);
            assertThat(r.contentType()).isEqualTo("application/problem+json");
        }
        io.restassured.RestAssured.given().header("Authorization", "Bearer " + challenge).contentType("text/plain")
                .body("123456").post("/api/v1/auth/verify").then().statusCode(415).contentType("application/problem+json");
        bearer(challenge).body("{\"code\":\"" + "1".repeat(70_000) + "\"}").post("/api/v1/auth/verify").then()
                .statusCode(413).contentType("application/problem+json");
        assertThat(failures(user.login())).isZero();
        assertThat(storedState(user.login())).isEqualTo(before);
    }

    @Test
    void sqlInjectionInTheLoginIsJustAWrongLogin() {
        long accounts = Db.count("select count(*) from account");
        Api.json().body(Map.of("login", "admin' --", "password", "x")).post("/api/v1/auth/login").then().statusCode(401);
        Api.json().body(Map.of("login", "' OR '1'='1", "password", "' OR '1'='1")).post("/api/v1/auth/login").then()
                .statusCode(401).body("detail", equalTo("The login or password is incorrect."));
        Api.bearer(Api.adminToken()).get("/api/v1/audit-events?login=' OR '1'='1").then().statusCode(200);
        assertThat(Db.count("select count(*) from account")).isEqualTo(accounts);
    }
}
