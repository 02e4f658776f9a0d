package io.twofa.account;

import static io.twofa.support.Api.PASSWORD;
import static io.twofa.support.Api.bearer;
import static io.twofa.support.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import io.twofa.crypto.Base32Secret;
import io.twofa.support.Api;
import io.twofa.support.Db;
import io.twofa.support.ResetsSharedState;
import io.twofa.support.TestClock;
import io.twofa.totp.Totp;

/**
 * Step-up (SPEC §7, issue 15): every action that weakens security or grants power needs an authentication at most
 * 5 minutes old that proved every factor the account has; POST /api/v1/auth/step-up gives a fresh one.
 */
@QuarkusTest
class StepUpTest extends ResetsSharedState {

    static final String STEP_UP_REQUIRED = "urn:twofa:problem:step-up-required";

    /** An admin with an authenticator: login, secret, backup codes. */
    record Admin(String login, String secret, List<String> backupCodes) {
        String code(int stepOffset) {
            return Totp.format(Totp.hotp(Base32Secret.decode(secret), Totp.step(TestClock.now()) + stepOffset, Totp.HMAC_SHA1, 6), 6);
        }

        /** A full login with a TOTP code (client desktop): the access token. */
        JsonPath signIn(int stepOffset) {
            String challenge = Api.login(login, PASSWORD).getString("challenge_token");
            return bearer(challenge).body(Map.of("code", code(stepOffset))).post("/api/v1/auth/verify").then().statusCode(200)
                    .extract().jsonPath();
        }
    }

    /** Creates an admin and enrols it (two-factor must be on). */
    static Admin enrolledAdmin() {
        String login = Api.newLogin("admin");
        bearer(Api.adminToken()).body(Map.of("login", login, "password", PASSWORD, "role", "admin")).post("/api/v1/users")
                .then().statusCode(201);
        String challenge = Api.login(login, PASSWORD).getString("challenge_token");
        String secret = bearer(challenge).body("{}").post("/api/v1/enrollment").then().statusCode(201).extract().path("secret");
        String code = Totp.format(Totp.hotp(Base32Secret.decode(secret), Totp.step(TestClock.now()) - 1, Totp.HMAC_SHA1, 6), 6);
        List<String> codes = bearer(challenge).body(Map.of("code", code)).post("/api/v1/enrollment/confirm").then().statusCode(200)
                .extract().jsonPath().getList("backup_codes", String.class);
        return new Admin(login, secret, codes);
    }

    static ValidatableResponse stepUpRequired(ValidatableResponse response) {
        return response.statusCode(403).contentType("application/problem+json").body("type", equalTo(STEP_UP_REQUIRED))
                .body("max_age", equalTo(300)).body("status", equalTo(403));
    }

    private static JsonPath policy() {
        return bearer(Api.adminToken()).get("/api/v1/site-policy").then().statusCode(200).extract().jsonPath();
    }

    private static JsonPath user(String login) {
        return bearer(Api.adminToken()).get("/api/v1/users/" + login).then().statusCode(200).extract().jsonPath();
    }

    @Test
    void everySensitiveActionNeedsARecentAuthenticationAndChangesNothingWithoutOne() {
        Api.twoFactor(true);
        Admin admin = enrolledAdmin();
        Api.Enrolled target = Api.enrolledUser();
        TestClock.toStartOfNextStep();
        String token = admin.signIn(0).getString("access_token");
        // 6 minutes later the token is still valid (10 minutes) but its authentication is not recent any more
        TestClock.advance(Duration.ofMinutes(6));
        bearer(token).get("/api/v1/me").then().statusCode(200);
        String due = TestClock.now().plus(Duration.ofDays(3)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        String newAdmin = Api.newLogin("would-be-admin");
        long codesBefore = user(target.login()).getLong("backup_codes_remaining");

        stepUpRequired(bearer(token).body(Map.of("two_factor_required", false)).put("/api/v1/site-policy").then());
        stepUpRequired(bearer(token).body(Map.of("enforce_from", due)).put("/api/v1/site-policy").then());
        stepUpRequired(bearer(token).body(Map.of("login", newAdmin, "password", PASSWORD, "role", "admin"))
                .post("/api/v1/users").then());
        stepUpRequired(bearer(token).body(Map.of("role", "admin")).patch("/api/v1/users/" + target.login()).then());
        stepUpRequired(bearer(token).body(Map.of("status", "disabled")).patch("/api/v1/users/" + target.login()).then());
        stepUpRequired(bearer(token).delete("/api/v1/users/" + target.login() + "/second-factor").then());
        stepUpRequired(bearer(token).body(Map.of("reason", "lost phone")).post("/api/v1/users/" + target.login() + "/backup-codes")
                .then());
        stepUpRequired(bearer(token).body(Map.of("password", "temporary-password-1"))
                .post("/api/v1/users/" + target.login() + "/password").then());

        // nothing changed
        assertThat(policy().getBoolean("two_factor_required")).isTrue();
        assertThat(policy().getString("enforce_from")).isNull();
        bearer(Api.adminToken()).get("/api/v1/users/" + newAdmin).then().statusCode(404);
        JsonPath unchanged = user(target.login());
        assertThat(unchanged.getString("role")).isEqualTo("user");
        assertThat(unchanged.getString("status")).isEqualTo("active");
        assertThat(unchanged.getBoolean("enrolled")).isTrue();
        assertThat(unchanged.getLong("backup_codes_remaining")).isEqualTo(codesBefore);
        assertThat(unchanged.getBoolean("password_change_required")).isFalse();
        assertThat(Api.login(target.login(), PASSWORD).getString("status")).isEqualTo("second_factor_required");

        // actions that neither weaken nor grant power need no step-up
        bearer(token).body(Map.of("issuer", "Flow Production Tracking")).put("/api/v1/site-policy").then().statusCode(200);
        bearer(token).body(Map.of("login", Api.newLogin("plain"), "password", PASSWORD, "role", "user")).post("/api/v1/users")
                .then().statusCode(201);
        bearer(token).get("/api/v1/users?limit=1").then().statusCode(200);

        // a fresh authentication: the same actions pass
        JsonPath stepped = bearer(token).body(Map.of("password", PASSWORD, "code", admin.code(0))).post("/api/v1/auth/step-up")
                .then().statusCode(200).extract().jsonPath();
        assertThat(stepped.getString("status")).isEqualTo("authenticated");
        assertThat(stepped.getString("token_type")).isEqualTo("Bearer");
        assertThat(stepped.getString("refresh_token")).isNull();
        String fresh = stepped.getString("access_token");
        JsonPath claims = Api.claims(fresh);
        JsonPath old = Api.claims(token);
        assertThat(claims.getLong("auth_time")).isCloseTo(TestClock.now().getEpochSecond(), org.assertj.core.data.Offset.offset(5L));
        assertThat(claims.getLong("auth_time")).isGreaterThan(old.getLong("auth_time") + 300);
        assertThat(claims.getList("amr")).containsExactly("pwd", "otp", "mfa");
        assertThat(claims.getString("factor")).isEqualTo("totp");
        assertThat(claims.getString("client")).isEqualTo(old.getString("client")).isEqualTo("desktop");
        assertThat(claims.getString("upn")).isEqualTo(admin.login());

        bearer(fresh).body(Map.of("reason", "lost phone")).post("/api/v1/users/" + target.login() + "/backup-codes").then()
                .statusCode(201);
        bearer(fresh).body(Map.of("role", "admin")).patch("/api/v1/users/" + target.login()).then().statusCode(200)
                .body("role", equalTo("admin"));
        bearer(fresh).delete("/api/v1/users/" + target.login() + "/second-factor").then().statusCode(204);
        bearer(fresh).body(Map.of("login", newAdmin, "password", PASSWORD, "role", "admin")).post("/api/v1/users").then()
                .statusCode(201);
        bearer(fresh).body(Map.of("enforce_from", due)).put("/api/v1/site-policy").then().statusCode(200);
        bearer(fresh).body(Map.of("two_factor_required", false)).put("/api/v1/site-policy").then().statusCode(200)
                .body("two_factor_required", equalTo(false));

        // each audited with actor, target and the age of the actor's authentication
        for (String type : List.of("backup_codes_issued", "role_changed", "second_factor_reset")) {
            JsonPath event = bearer(Api.adminToken()).get("/api/v1/audit-events?login=" + target.login() + "&type=" + type)
                    .then().statusCode(200).extract().jsonPath();
            assertThat(event.getString("events[0].actor")).as(type).isEqualTo(admin.login());
            assertThat(event.getString("events[0].subject_login")).as(type).isEqualTo(target.login());
            assertThat(event.getLong("events[0].actor_auth_age_seconds")).as(type).isBetween(0L, 10L);
        }
        JsonPath created = bearer(Api.adminToken()).get("/api/v1/audit-events?type=account_created&login=" + newAdmin).then()
                .extract().jsonPath();
        assertThat(created.getString("events[0].actor")).isEqualTo(admin.login());
        assertThat(created.getLong("events[0].actor_auth_age_seconds")).isBetween(0L, 10L);
        List<Object> policyAges = Db.column("select actor_auth_age_seconds from audit_event where type = 'policy_changed' "
                + "and actor = ? order by id", admin.login());
        // issuer (stale token, no step-up needed: its age is still recorded), enforce_from and off (fresh)
        assertThat(policyAges).hasSize(3);
        assertThat(((Number) policyAges.get(0)).longValue()).isBetween(360L, 380L);
        assertThat(((Number) policyAges.get(2)).longValue()).isBetween(0L, 10L);
    }

    @Test
    void aRefreshKeepsTheOriginalAuthTimeAndIsNoReauthentication() {
        Api.twoFactor(true);
        Admin admin = enrolledAdmin();
        TestClock.toStartOfNextStep();
        JsonPath login = admin.signIn(0);
        TestClock.advance(Duration.ofMinutes(6));
        JsonPath refreshed = json().body(Map.of("refresh_token", login.getString("refresh_token"))).post("/api/v1/auth/refresh")
                .then().statusCode(200).extract().jsonPath();
        String token = refreshed.getString("access_token");
        assertThat(Api.claims(token).getLong("auth_time")).isEqualTo(Api.claims(login.getString("access_token")).getLong("auth_time"));
        stepUpRequired(bearer(token).delete("/api/v1/users/" + Api.createUser("user") + "/second-factor").then());
    }

    @Test
    void thePasswordAloneIsNotEnoughForAnAdminWithASecondFactor() {
        Api.twoFactor(true);
        Admin admin = enrolledAdmin();
        Api.twoFactor(false);
        String victim = Api.createUser("user");
        // policy off: the admin logs in with the password alone, a moment ago
        String token = Api.login(admin.login(), PASSWORD).getString("access_token");
        assertThat(Api.claims(token).getList("amr")).containsExactly("pwd");
        stepUpRequired(bearer(token).body(Map.of("status", "disabled")).patch("/api/v1/users/" + victim).then());
        // nor does step-up take the password alone from it
        bearer(token).body(Map.of("password", PASSWORD)).post("/api/v1/auth/step-up").then().statusCode(400)
                .contentType("application/problem+json").body("field", equalTo("code"));
        // a backup code does, once
        String code = admin.backupCodes().get(0);
        JsonPath stepped = bearer(token).body(Map.of("password", PASSWORD, "backup_code", code)).post("/api/v1/auth/step-up")
                .then().statusCode(200).body("backup_codes_remaining", equalTo(9)).extract().jsonPath();
        assertThat(Api.claims(stepped.getString("access_token")).getString("factor")).isEqualTo("backup_code");
        bearer(stepped.getString("access_token")).body(Map.of("status", "disabled")).patch("/api/v1/users/" + victim).then()
                .statusCode(200).body("status", equalTo("disabled"));
        bearer(token).body(Map.of("password", PASSWORD, "backup_code", code)).post("/api/v1/auth/step-up").then().statusCode(401);
    }

    @Test
    void anAdminWithoutASecondFactorStepsUpWithThePasswordWhileTwoFactorIsOff() {
        String login = Api.newLogin("admin");
        bearer(Api.adminToken()).body(Map.of("login", login, "password", PASSWORD, "role", "admin")).post("/api/v1/users")
                .then().statusCode(201);
        String token = Api.login(login, PASSWORD).getString("access_token");
        // a complete login for this account: sensitive actions pass while it is recent
        String first = Api.newLogin("admin");
        bearer(token).body(Map.of("login", first, "password", PASSWORD, "role", "admin")).post("/api/v1/users").then()
                .statusCode(201);
        TestClock.advance(Duration.ofMinutes(5).plusSeconds(5));
        stepUpRequired(bearer(token).body(Map.of("login", Api.newLogin("admin"), "password", PASSWORD, "role", "admin"))
                .post("/api/v1/users").then());
        bearer(token).body(Map.of("password", "wrong password")).post("/api/v1/auth/step-up").then().statusCode(401)
                .contentType("application/problem+json").body("type", equalTo("urn:twofa:problem:unauthenticated"));
        String fresh = bearer(token).body(Map.of("password", PASSWORD)).post("/api/v1/auth/step-up").then().statusCode(200)
                .extract().path("access_token");
        assertThat(Api.claims(fresh).getList("amr")).containsExactly("pwd");
        bearer(fresh).body(Map.of("login", Api.newLogin("admin"), "password", PASSWORD, "role", "admin")).post("/api/v1/users")
                .then().statusCode(201);
        // once two-factor is required, the password alone no longer counts, however recent
        Api.twoFactor(true);
        stepUpRequired(bearer(fresh).body(Map.of("login", Api.newLogin("admin"), "password", PASSWORD, "role", "admin"))
                .post("/api/v1/users").then());
    }

    @Test
    void stepUpUsesTheLoginThrottlesAndAcceptsOnlyAccessTokens() {
        Api.twoFactor(true);
        Admin admin = enrolledAdmin();
        TestClock.toStartOfNextStep();
        String token = admin.signIn(0).getString("access_token");
        String challenge = Api.login(admin.login(), PASSWORD).getString("challenge_token");
        bearer(challenge).body(Map.of("password", PASSWORD, "code", admin.code(1))).post("/api/v1/auth/step-up").then()
                .statusCode(401).body("type", equalTo("urn:twofa:problem:invalid-token"));

        // a wrong password: the code is not evaluated and not counted
        bearer(token).body(Map.of("password", "wrong password", "code", "000000")).post("/api/v1/auth/step-up").then()
                .statusCode(401).body("detail", equalTo("The password is incorrect."));
        assertThat(user(admin.login()).getInt("second_factor_consecutive_failures")).isZero();

        // wrong codes count in the second-factor throttle, as at verify: 5 evaluated, then 429 without evaluation
        for (int i = 0; i < 5; i++) {
            bearer(token).body(Map.of("password", PASSWORD, "code", wrongCode(admin))).post("/api/v1/auth/step-up").then()
                    .statusCode(401).body("detail", equalTo("The code is incorrect."));
        }
        bearer(token).body(Map.of("password", PASSWORD, "code", admin.code(1))).post("/api/v1/auth/step-up").then()
                .statusCode(429).header("Retry-After", equalTo("30")).body("type", equalTo("urn:twofa:problem:throttled"));
        assertThat(user(admin.login()).getInt("second_factor_consecutive_failures")).isEqualTo(5);
        TestClock.advance(Duration.ofSeconds(31));
        bearer(token).body(Map.of("password", PASSWORD, "code", admin.code(0))).post("/api/v1/auth/step-up").then()
                .statusCode(200);
        assertThat(user(admin.login()).getInt("second_factor_consecutive_failures")).isZero();
        // the step just used cannot be replayed
        bearer(token).body(Map.of("password", PASSWORD, "code", admin.code(0))).post("/api/v1/auth/step-up").then()
                .statusCode(401);

        // wrong passwords count in the password throttle, as at login
        for (int i = 0; i < 5; i++) {
            bearer(token).body(Map.of("password", "wrong password", "code", admin.code(1))).post("/api/v1/auth/step-up").then()
                    .statusCode(401);
        }
        bearer(token).body(Map.of("password", PASSWORD, "code", admin.code(1))).post("/api/v1/auth/step-up").then()
                .statusCode(429).header("Retry-After", org.hamcrest.Matchers.notNullValue());
        json().body(Map.of("login", admin.login(), "password", PASSWORD)).post("/api/v1/auth/login").then().statusCode(429);

        Map<String, Object> both = new HashMap<>(Map.of("password", PASSWORD, "code", "123456", "backup_code", "x"));
        bearer(token).body(both).post("/api/v1/auth/step-up").then().statusCode(400);
        bearer(token).body(Map.of("password", PASSWORD, "pin", "1234")).post("/api/v1/auth/step-up").then().statusCode(400)
                .body("field", equalTo("pin"));
        assertThat(Db.count("select count(*) from audit_event where type = 'step_up' and actor = ?", admin.login())).isEqualTo(1);
    }

    private static String wrongCode(Admin admin) {
        java.util.Set<String> near = new java.util.HashSet<>();
        for (int offset = -3; offset <= 3; offset++) {
            near.add(admin.code(offset));
        }
        for (int candidate = 123456;; candidate += 111111) {
            String code = Totp.format(candidate % 1_000_000, 6);
            if (!near.contains(code)) {
                return code;
            }
        }
    }

    @Test
    void anAuthTimeFromTheFutureIsNotRecent() {
        // auth_time is the server's clock at login; one far ahead of it (e.g. a clock set back) is not trusted
        Api.twoFactor(true);
        Admin admin = enrolledAdmin();
        TestClock.advance(Duration.ofMinutes(10));
        TestClock.toStartOfNextStep();
        String token = admin.signIn(0).getString("access_token");
        TestClock.advance(Duration.ofMinutes(-9));
        stepUpRequired(bearer(token).delete("/api/v1/users/" + Api.createUser("user") + "/second-factor").then());
        assertThat(Instant.ofEpochSecond(Api.claims(token).getLong("auth_time"))).isAfter(TestClock.now());
    }
}
