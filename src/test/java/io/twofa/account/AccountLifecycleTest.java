package io.twofa.account;

import static io.twofa.support.Api.PASSWORD;
import static io.twofa.support.Api.bearer;
import static io.twofa.support.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.twofa.support.Api;
import io.twofa.support.Db;
import io.twofa.support.Parallel;
import io.twofa.support.ResetsSharedState;

/** The rest of an account's life (issue 15): state, role, temporary password, listing, concurrent creation. */
@QuarkusTest
class AccountLifecycleTest extends ResetsSharedState {

    private static JsonPath patch(String login, Map<String, Object> body) {
        return bearer(Api.adminToken()).body(body).patch("/api/v1/users/" + login).then().statusCode(200).extract().jsonPath();
    }

    private static Response loginAnswer(String login, String password) {
        return json().body(Map.of("login", login, "password", password, "client", "desktop")).post("/api/v1/auth/login");
    }

    @Test
    void aDisabledAccountCannotLogInAndItsSessionsEndAtOnce() {
        String login = Api.createUser("user");
        String other = Api.createUser("user");
        JsonPath session = Api.login(login, PASSWORD);
        assertThat(session.getString("refresh_token")).isNotNull();

        JsonPath disabled = patch(login, Map.of("status", "disabled"));
        assertThat(disabled.getString("status")).isEqualTo("disabled");
        assertThat(disabled.getString("login")).isEqualTo(login);

        // the right password of a disabled account gets exactly the answer of a wrong password
        Response refused = loginAnswer(login, PASSWORD);
        Response wrong = loginAnswer(other, "not the password");
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.asString()).isEqualTo(wrong.asString());
        assertThat(refused.contentType()).isEqualTo(wrong.contentType()).isEqualTo("application/problem+json");
        assertThat(refused.headers().asList().stream().map(h -> h.getName().toLowerCase(Locale.ROOT)).sorted().toList())
                .isEqualTo(wrong.headers().asList().stream().map(h -> h.getName().toLowerCase(Locale.ROOT)).sorted().toList());

        // its refresh sessions ended with the change
        assertThat(Db.column("select f.revoked_reason from refresh_family f join account a on a.id = f.account_id "
                + "where a.login = ?", login)).containsExactly("account_disabled");
        json().body(Map.of("refresh_token", session.getString("refresh_token"))).post("/api/v1/auth/refresh").then()
                .statusCode(401);
        // nor can its still-valid access token confirm the password for anything
        bearer(session.getString("access_token")).body(Map.of("password", PASSWORD)).post("/api/v1/backup-codes").then()
                .statusCode(401);
        JsonPath event = bearer(Api.adminToken()).get("/api/v1/audit-events?type=account_disabled&login=" + login).then()
                .extract().jsonPath();
        assertThat(event.getString("events[0].actor")).isEqualTo("admin");
        assertThat(event.getLong("events[0].actor_auth_age_seconds")).isNotNull();

        // enabled again: the same password works
        assertThat(patch(login, Map.of("status", "active")).getString("status")).isEqualTo("active");
        assertThat(Api.login(login, PASSWORD).getString("status")).isEqualTo("authenticated");
        assertThat(Db.count("select count(*) from audit_event where type = 'account_enabled' and subject_login = ?", login))
                .isEqualTo(1);
    }

    @Test
    void rolesChangeIncludingToAndFromClient() {
        Api.twoFactor(true);
        String login = Api.createUser("user");
        assertThat(Api.login(login, PASSWORD).getString("status")).isEqualTo("enrollment_required");

        assertThat(patch(login, Map.of("role", "client")).getString("role")).isEqualTo("client");
        JsonPath asClient = Api.login(login, PASSWORD);
        assertThat(asClient.getString("status")).as("client users are exempt from two-factor").isEqualTo("authenticated");
        assertThat(Api.claims(asClient.getString("access_token")).getList("groups")).containsExactly("client");

        assertThat(patch(login, Map.of("role", "user")).getString("role")).isEqualTo("user");
        assertThat(Api.login(login, PASSWORD).getString("status")).isEqualTo("enrollment_required");
        // the client's password-only session does not outlive the change
        json().body(Map.of("refresh_token", asClient.getString("refresh_token"))).post("/api/v1/auth/refresh").then()
                .statusCode(401);

        List<Object> details = Db.column("select detail from audit_event where type = 'role_changed' and subject_login = ? "
                + "order by id", login);
        assertThat(details).containsExactly("user -> client", "client -> user");

        bearer(Api.adminToken()).body(Map.of("role", "owner")).patch("/api/v1/users/" + login).then().statusCode(400)
                .body("field", equalTo("role"));
        bearer(Api.adminToken()).body(Map.of("status", "gone")).patch("/api/v1/users/" + login).then().statusCode(400)
                .body("field", equalTo("status"));
        bearer(Api.adminToken()).body("{}").patch("/api/v1/users/" + login).then().statusCode(400);
        bearer(Api.adminToken()).body(Map.of("role", "user", "login", "x")).patch("/api/v1/users/" + login).then().statusCode(400);
        bearer(Api.adminToken()).body(Map.of("role", "user")).patch("/api/v1/users/" + Api.newLogin("nobody")).then()
                .statusCode(404);
        String user = Api.login(Api.createUser("user"), PASSWORD).getString("challenge_token");
        bearer(user).body(Map.of("role", "admin")).patch("/api/v1/users/" + login).then().statusCode(401);
    }

    @Test
    void theLastActiveAdminCanBeNeitherDemotedNorDisabled() {
        List<String> others = new ArrayList<>();
        for (JsonPath page = list("role=admin&status=active&limit=200");; ) {
            page.getList("users.login", String.class).stream().filter(l -> !l.equals("admin")).forEach(others::add);
            if (page.getString("next_after") == null) {
                break;
            }
            page = list("role=admin&status=active&limit=200&after=" + page.getString("next_after"));
        }
        try {
            others.forEach(l -> patch(l, Map.of("status", "disabled")));
            bearer(Api.adminToken()).body(Map.of("role", "user")).patch("/api/v1/users/admin").then().statusCode(409)
                    .contentType("application/problem+json").body("type", equalTo("urn:twofa:problem:last-admin"));
            bearer(Api.adminToken()).body(Map.of("status", "disabled")).patch("/api/v1/users/admin").then().statusCode(409)
                    .body("type", equalTo("urn:twofa:problem:last-admin"));
            bearer(Api.adminToken()).get("/api/v1/users/admin").then().body("role", equalTo("admin")).body("status", equalTo("active"));
            // with another active admin, an admin may step down
            String second = Api.createUser("admin");
            assertThat(patch(second, Map.of("role", "user")).getString("role")).isEqualTo("user");
        } finally {
            others.forEach(l -> patch(l, Map.of("status", "active")));
        }
    }

    @Test
    void aTemporaryPasswordMustBeChangedAtTheNextLoginWhichThenContinues() {
        Api.twoFactor(true);
        Api.Enrolled user = Api.enrolledUser();
        // a desktop session (with a backup code, keeping this step's TOTP code for later)
        JsonPath session = bearer(user.challenge()).body(Map.of("backup_code", user.backupCodes().get(0)))
                .post("/api/v1/auth/verify").then().statusCode(200).extract().jsonPath();
        String temporary = "temporary-password-1";
        bearer(Api.adminToken()).body(Map.of("password", "short")).post("/api/v1/users/" + user.login() + "/password").then()
                .statusCode(400).body("field", equalTo("password"));
        bearer(Api.adminToken()).body(Map.of("password", temporary)).post("/api/v1/users/" + user.login() + "/password").then()
                .statusCode(204);
        bearer(Api.adminToken()).get("/api/v1/users/" + user.login()).then().body("password_change_required", equalTo(true));
        assertThat(Db.column("select f.revoked_reason from refresh_family f join account a on a.id = f.account_id "
                + "where a.login = ? and f.revoked_at is not null", user.login())).contains("password_changed");
        loginAnswer(user.login(), PASSWORD).then().statusCode(401);

        JsonPath first = Api.login(user.login(), temporary);
        assertThat(first.getString("status")).isEqualTo("password_change_required");
        assertThat(first.getString("access_token")).isNull();
        assertThat(first.getInt("expires_in")).isBetween(1, 300);
        String challenge = first.getString("challenge_token");
        assertThat(Api.claims(challenge).getString("purpose")).isEqualTo("password_change");

        // that challenge is accepted by PUT /api/v1/me/password only
        bearer(challenge).body(Map.of("code", user.code(0))).post("/api/v1/auth/verify").then().statusCode(403)
                .body("type", equalTo("urn:twofa:problem:wrong-step"));
        bearer(challenge).body("{}").post("/api/v1/enrollment").then().statusCode(403);
        bearer(challenge).get("/api/v1/me").then().statusCode(401);
        bearer(challenge).body(Map.of("password", temporary, "code", user.code(0))).post("/api/v1/auth/step-up").then()
                .statusCode(401);
        bearer(challenge).body(Map.of("current_password", "wrong", "new_password", "my-own-password-2")).put("/api/v1/me/password")
                .then().statusCode(401);
        bearer(challenge).body(Map.of("current_password", temporary, "new_password", temporary)).put("/api/v1/me/password")
                .then().statusCode(400).body("field", equalTo("new_password"));
        assertThat(Api.login(user.login(), temporary).getString("status")).isEqualTo("password_change_required");

        // changed: the answer is the password step's with the new password
        JsonPath next = bearer(challenge).body(Map.of("current_password", temporary, "new_password", "my-own-password-2"))
                .put("/api/v1/me/password").then().statusCode(200).extract().jsonPath();
        assertThat(next.getString("status")).isEqualTo("second_factor_required");
        assertThat(next.getList("methods")).containsExactly("totp", "backup_code");
        bearer(next.getString("challenge_token")).body(Map.of("code", user.code(0))).post("/api/v1/auth/verify").then()
                .statusCode(200);
        // single use; the temporary password is gone, the new one works
        bearer(challenge).body(Map.of("current_password", "my-own-password-2", "new_password", "my-own-password-3"))
                .put("/api/v1/me/password").then().statusCode(401).body("type", equalTo("urn:twofa:problem:challenge-spent"));
        loginAnswer(user.login(), temporary).then().statusCode(401);
        assertThat(Api.login(user.login(), "my-own-password-2").getString("status")).isEqualTo("second_factor_required");
        bearer(Api.adminToken()).get("/api/v1/users/" + user.login()).then().body("password_change_required", equalTo(false));
        json().body(Map.of("refresh_token", session.getString("refresh_token"))).post("/api/v1/auth/refresh").then().statusCode(401);
        JsonPath reset = bearer(Api.adminToken()).get("/api/v1/audit-events?type=password_reset&login=" + user.login()).then()
                .extract().jsonPath();
        assertThat(reset.getString("events[0].actor")).isEqualTo("admin");
        assertThat(reset.getLong("events[0].actor_auth_age_seconds")).isNotNull();
    }

    @Test
    void aTemporaryPasswordLeadsToEnrolmentOrStraightInAsThePolicySays() {
        String login = Api.createUser("user");
        bearer(Api.adminToken()).body(Map.of("password", "temporary-password-1")).post("/api/v1/users/" + login + "/password")
                .then().statusCode(204);
        String challenge = Api.login(login, "temporary-password-1").getString("challenge_token");
        JsonPath in = bearer(challenge).body(Map.of("current_password", "temporary-password-1", "new_password", "mine-and-only-mine"))
                .put("/api/v1/me/password").then().statusCode(200).extract().jsonPath();
        assertThat(in.getString("status")).isEqualTo("authenticated");
        assertThat(Api.claims(in.getString("access_token")).getString("client")).isEqualTo("desktop");
        assertThat(in.getString("refresh_token")).as("a desktop login gets its session").isNotNull();

        Api.twoFactor(true);
        bearer(Api.adminToken()).body(Map.of("password", "temporary-password-2")).post("/api/v1/users/" + login + "/password")
                .then().statusCode(204);
        String second = Api.login(login, "temporary-password-2").getString("challenge_token");
        JsonPath enrol = bearer(second).body(Map.of("current_password", "temporary-password-2", "new_password", "mine-again-2"))
                .put("/api/v1/me/password").then().statusCode(200).extract().jsonPath();
        assertThat(enrol.getString("status")).isEqualTo("enrollment_required");
        bearer(enrol.getString("challenge_token")).body("{}").post("/api/v1/enrollment").then().statusCode(201);
    }

    private static JsonPath list(String query) {
        return bearer(Api.adminToken()).get("/api/v1/users?" + query).then().statusCode(200).extract().jsonPath();
    }

    @Test
    void adminsListAccountsWithFiltersAndKeysetPaging() {
        String prefix = Api.newLogin("List").toLowerCase(Locale.ROOT) + "-";
        List<String> logins = new ArrayList<>();
        for (String suffix : List.of("b", "A", "c", "D", "e")) {
            String login = prefix + suffix;
            bearer(Api.adminToken()).body(Map.of("login", login, "password", PASSWORD, "role", suffix.equals("c") ? "client" : "user"))
                    .post("/api/v1/users").then().statusCode(201);
            logins.add(login);
        }
        patch(prefix + "e", Map.of("status", "disabled"));
        // one of them enrols
        Api.twoFactor(true);
        JsonPath first = Api.login(prefix + "b", PASSWORD);
        String challenge = first.getString("challenge_token");
        String secret = bearer(challenge).body("{}").post("/api/v1/enrollment").then().statusCode(201).extract().path("secret");
        bearer(challenge).body(Map.of("code", io.twofa.totp.Totp.code(io.twofa.crypto.Base32Secret.decode(secret), Api.now())))
                .post("/api/v1/enrollment/confirm").then().statusCode(200);

        // pages of two in case-insensitive login order
        List<String> seen = new ArrayList<>();
        JsonPath page = list("prefix=" + prefix.toUpperCase(Locale.ROOT) + "&limit=2");
        int pages = 1;
        while (true) {
            assertThat(page.getList("users")).hasSizeLessThanOrEqualTo(2);
            seen.addAll(page.getList("users.login", String.class));
            if (page.getString("next_after") == null) {
                break;
            }
            page = list("prefix=" + prefix + "&limit=2&after=" + page.getString("next_after"));
            pages++;
        }
        assertThat(pages).isEqualTo(3);
        assertThat(seen).containsExactlyElementsOf(logins.stream().sorted(Comparator.comparing(l -> l.toLowerCase(Locale.ROOT))).toList());

        JsonPath b = list("prefix=" + prefix + "b");
        assertThat(b.getString("users[0].role")).isEqualTo("user");
        assertThat(b.getString("users[0].status")).isEqualTo("active");
        assertThat(b.getBoolean("users[0].enrolled")).isTrue();
        assertThat(b.getString("users[0].created_at")).isNotNull();
        assertThat(list("prefix=" + prefix + "&enrolled=false").getList("users.login", String.class))
                .containsExactly(prefix + "A", prefix + "c", prefix + "D", prefix + "e");
        assertThat(list("prefix=" + prefix + "&enrolled=true").getList("users.login", String.class)).containsExactly(prefix + "b");
        assertThat(list("prefix=" + prefix + "&role=client").getList("users.login", String.class)).containsExactly(prefix + "c");
        assertThat(list("prefix=" + prefix + "&status=disabled").getList("users.login", String.class)).containsExactly(prefix + "e");
        assertThat(list("prefix=" + prefix + "&status=active&enrolled=false&role=user").getList("users.login", String.class))
                .containsExactly(prefix + "A", prefix + "D");
        // prefixes are literal: no pattern characters
        assertThat(list("prefix=" + prefix.replace("-", "_")).getList("users")).isEmpty();

        for (String bad : List.of("limit=0", "limit=201", "limit=x", "enrolled=maybe", "role=owner", "status=gone")) {
            bearer(Api.adminToken()).get("/api/v1/users?" + bad).then().statusCode(400).contentType("application/problem+json");
        }
        String user = Api.accessTokenOf(Api.enrolledUser());
        bearer(user).get("/api/v1/users").then().statusCode(403);
    }

    @Test
    void concurrentCreationOfOneLoginGivesOne201AndOnly409s() {
        String login = Api.newLogin("race");
        List<HttpResponse<String>> answers = Parallel.post("/api/v1/users", Api.adminToken(), 20,
                i -> "{\"login\":\"" + (i % 2 == 0 ? login : login.toUpperCase(Locale.ROOT)) + "\",\"password\":\"" + PASSWORD
                        + "\",\"role\":\"user\"}");
        assertThat(Parallel.countStatus(answers, 201)).isEqualTo(1);
        assertThat(Parallel.countStatus(answers, 409)).isEqualTo(19);
        assertThat(answers.stream().filter(r -> r.statusCode() == 409)).allSatisfy(r -> {
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
            assertThat(JsonPath.from(r.body()).getString("type")).isEqualTo("urn:twofa:problem:login-taken");
        });
        assertThat(Db.count("select count(*) from account where lower(login) = lower(?)", login)).isEqualTo(1);
        assertThat(Db.count("select count(*) from audit_event where type = 'account_created' and lower(subject_login) = lower(?)",
                login)).isEqualTo(1);
    }
}
