package io.twofa.backupcode;

import static io.twofa.support.Api.PASSWORD;
import static io.twofa.support.Api.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.twofa.support.Api;
import io.twofa.support.WithTwoFactorOn;
import io.twofa.support.Db;
import io.twofa.support.Parallel;
import io.twofa.support.TestClock;

@QuarkusTest
class BackupCodesTest extends WithTwoFactorOn {

    private static Response useBackupCode(Api.Enrolled user, String code) {
        return bearer(user.challenge()).body(Map.of("backup_code", code)).post("/api/v1/auth/verify");
    }

    private static String accessToken(Api.Enrolled user) {
        return useBackupCode(user, user.backupCodes().get(user.backupCodes().size() - 1)).then().statusCode(200)
                .extract().path("access_token");
    }

    private static long remaining(String access) {
        return bearer(access).get("/api/v1/backup-codes").then().statusCode(200).extract().jsonPath().getLong("remaining");
    }

    @Test
    void aCodeWorksOnceAndTheOthersStillWork() {
        Api.Enrolled user = Api.enrolledUser();
        List<String> codes = user.backupCodes();
        assertThat(codes).hasSize(10).allMatch(c -> c.matches("[2-9A-HJKMNP-Z]{4}(-[2-9A-HJKMNP-Z]{4}){3}"));
        JsonPath first = useBackupCode(user, codes.get(0)).then().statusCode(200).extract().jsonPath();
        assertThat(first.getInt("backup_codes_remaining")).isEqualTo(9);
        assertThat(first.getString("regenerate_backup_codes")).isNull();
        String token = first.getString("access_token");
        JsonPath claims = JsonPath.from(new String(java.util.Base64.getUrlDecoder().decode(token.split("\\.")[1])));
        assertThat(claims.getString("factor")).isEqualTo("backup_code");
        assertThat(claims.getList("amr")).containsExactly("pwd", "otp", "mfa");
        useBackupCode(user, codes.get(0)).then().statusCode(401);
        // typed loosely: lower case, no dashes, spaces
        String loose = codes.get(1).toLowerCase().replace("-", " ");
        useBackupCode(user, loose).then().statusCode(200).body("backup_codes_remaining", equalTo(8));
        assertThat(remaining(token)).isEqualTo(8);
    }

    @Test
    void fewCodesLeftAsksToRegenerate() {
        Api.Enrolled user = Api.enrolledUser();
        for (int i = 0; i < 6; i++) {
            useBackupCode(user, user.backupCodes().get(i)).then().statusCode(200).body("regenerate_backup_codes", equalTo(null));
        }
        useBackupCode(user, user.backupCodes().get(6)).then().statusCode(200).body("backup_codes_remaining", equalTo(3))
                .body("regenerate_backup_codes", equalTo(true));
    }

    @Test
    void aNewSetVoidsEveryOldCode() {
        Api.Enrolled user = Api.enrolledUser();
        String access = accessToken(user);
        bearer(access).body(Map.of("password", "wrong")).post("/api/v1/backup-codes").then().statusCode(401);
        JsonPath fresh = bearer(access).body(Map.of("password", PASSWORD)).post("/api/v1/backup-codes").then().statusCode(201)
                .header("Cache-Control", "no-store").extract().jsonPath();
        List<String> newCodes = fresh.getList("codes", String.class);
        assertThat(newCodes).hasSize(10).doesNotContainAnyElementsOf(user.backupCodes());
        assertThat(fresh.getString("generated_at")).isNotBlank();
        for (String old : user.backupCodes().subList(0, 3)) {
            useBackupCode(user, old).then().statusCode(401);
        }
        useBackupCode(user, newCodes.get(0)).then().statusCode(200).body("backup_codes_remaining", equalTo(9));
    }

    @Test
    void theSetCanBeSavedAsATextFile() {
        Api.Enrolled user = Api.enrolledUser();
        String access = accessToken(user);
        Response text = bearer(access).accept("text/plain").body(Map.of("password", PASSWORD)).post("/api/v1/backup-codes");
        assertThat(text.statusCode()).isEqualTo(201);
        assertThat(text.contentType()).startsWith("text/plain");
        assertThat(text.header("Content-Disposition")).isEqualTo("attachment; filename=\"backup-codes.txt\"");
        String body = text.asString();
        assertThat(body).contains("Flow Production Tracking", user.login(), TestClock.now().toString().substring(0, 10),
                "works once");
        List<String> codes = body.lines().filter(l -> l.matches(" ?\\d+\\. .*")).map(l -> l.replaceAll("^ ?\\d+\\. ", ""))
                .toList();
        assertThat(codes).hasSize(10);
        useBackupCode(user, codes.get(4)).then().statusCode(200);
    }

    @Test
    void fiftyParallelUsesOfOneCodeSucceedExactlyOnce() {
        Api.Enrolled user = Api.enrolledUser();
        String challenge = user.challenge();
        String code = user.backupCodes().get(0);
        List<HttpResponse<String>> responses = Parallel.post("/api/v1/auth/verify", challenge, 50,
                i -> "{\"backup_code\":\"" + code + "\"}");
        assertThat(Parallel.countStatus(responses, 200)).isEqualTo(1);
        assertThat(Parallel.countStatus(responses, 401) + Parallel.countStatus(responses, 429)).isEqualTo(49);
        assertThat(Db.count("select count(*) from backup_code b join account u on u.id = b.account_id "
                + "where u.login = ? and b.used_at is null", user.login())).isEqualTo(9);
    }

    @Test
    void wrongBackupCodesAndWrongTotpCodesShareOneThrottle() {
        Api.Enrolled user = Api.enrolledUser();
        String challenge = user.challenge();
        for (int i = 0; i < 3; i++) {
            bearer(challenge).body(Map.of("code", "12345x")).post("/api/v1/auth/verify").then().statusCode(401);
        }
        for (int i = 0; i < 2; i++) {
            bearer(challenge).body(Map.of("backup_code", "2222-2222-2222-2222")).post("/api/v1/auth/verify").then().statusCode(401);
        }
        bearer(challenge).body(Map.of("backup_code", user.backupCodes().get(0))).post("/api/v1/auth/verify").then()
                .statusCode(429);
    }

    @Test
    void theDatabaseHoldsOnlyKeyedHashes() {
        Api.Enrolled user = Api.enrolledUser();
        List<Object> hashes = Db.column("select b.code_hash from backup_code b join account u on u.id = b.account_id "
                + "where u.login = ?", user.login());
        assertThat(hashes).hasSize(10);
        for (Object hash : hashes) {
            byte[] bytes = (byte[]) hash;
            assertThat(bytes).hasSize(32);
            String asText = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
            for (String code : user.backupCodes()) {
                assertThat(asText).doesNotContain(code.replace("-", "")).doesNotContain(code.substring(0, 4));
            }
        }
        String dump = Db.column("select string_agg(b::text, ' ') from backup_code b join account u on u.id = b.account_id "
                + "where u.login = ?", user.login()).get(0).toString();
        for (String code : user.backupCodes()) {
            assertThat(dump).doesNotContain(code).doesNotContain(code.replace("-", ""));
        }
    }

    @Test
    void accountsWithoutAnAuthenticatorGetAClear4xx() {
        Api.twoFactor(false);
        String client = Api.login(Api.createUser("client"), PASSWORD).getString("access_token");
        bearer(client).body(Map.of("password", PASSWORD)).post("/api/v1/backup-codes").then().statusCode(403)
                .contentType("application/problem+json");
        String plain = Api.login(Api.createUser("user"), PASSWORD).getString("access_token");
        bearer(plain).body(Map.of("password", PASSWORD)).post("/api/v1/backup-codes").then().statusCode(409)
                .contentType("application/problem+json").body("type", equalTo("urn:twofa:problem:not-enrolled"));
        bearer(plain).get("/api/v1/backup-codes").then().statusCode(200).body("remaining", equalTo(0));
    }

    @Test
    void adminsCanIssueANewSetWithAReasonWhichIsAudited() {
        Api.Enrolled user = Api.enrolledUser();
        String admin = Api.adminToken();
        bearer(admin).body("{}").post("/api/v1/users/" + user.login() + "/backup-codes").then().statusCode(400)
                .body("field", equalTo("reason"));
        List<String> codes = bearer(admin).body(Map.of("reason", "lost phone and codes, ticket 4711"))
                .post("/api/v1/users/" + user.login() + "/backup-codes").then().statusCode(201).extract().jsonPath()
                .getList("codes", String.class);
        assertThat(codes).hasSize(10);
        useBackupCode(user, user.backupCodes().get(0)).then().statusCode(401);
        useBackupCode(user, codes.get(0)).then().statusCode(200);
        bearer(Api.adminToken()).get("/api/v1/audit-events?type=backup_codes_issued&login=" + user.login()).then()
                .statusCode(200).body("events[0].detail", equalTo("by admin, reason: lost phone and codes, ticket 4711"))
                .body("events[0].actor", equalTo("admin"));
    }
}
