package io.twofa.audit;

import static io.twofa.support.Api.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.twofa.support.Api;
import io.twofa.support.ResetsSharedState;
import io.twofa.support.TestClock;

@QuarkusTest
class AuditTrailTest extends ResetsSharedState {

    @Test
    void eventsAreNewestFirstFilteredAndPaginated() {
        String login = Api.createUser("user");
        for (int i = 0; i < 3; i++) {
            Api.json().body(Map.of("login", login, "password", "wrong-" + i, "client", "rv")).post("/api/v1/auth/login")
                    .then().statusCode(401);
        }
        Api.login(login, Api.PASSWORD);
        String admin = Api.adminToken();
        JsonPath all = bearer(admin).get("/api/v1/audit-events?login=" + login.toUpperCase()).then().statusCode(200).extract().jsonPath();
        List<String> types = all.getList("events.type");
        assertThat(types).containsExactly("login_succeeded", "login_failed", "login_failed", "login_failed", "account_created");
        List<Long> ids = all.getList("events.id", Long.class);
        assertThat(ids).isSortedAccordingTo((a, b) -> Long.compare(b, a));
        assertThat(all.getString("events[1].client")).isEqualTo("rv");
        assertThat(all.getString("events[1].source_ip")).isEqualTo("127.0.0.1");
        assertThat(all.getString("events[4].actor")).isEqualTo("admin");

        JsonPath page1 = bearer(admin).get("/api/v1/audit-events?type=login_failed&login=" + login + "&limit=2").then()
                .statusCode(200).extract().jsonPath();
        assertThat(page1.getList("events")).hasSize(2);
        long next = page1.getLong("next_before");
        JsonPath page2 = bearer(admin).get("/api/v1/audit-events?type=login_failed&login=" + login + "&limit=2&before=" + next)
                .then().statusCode(200).extract().jsonPath();
        assertThat(page2.getList("events")).hasSize(1);
        assertThat(page2.getString("next_before")).isNull();
        bearer(admin).get("/api/v1/audit-events?limit=0").then().statusCode(400).body("field", equalTo("limit"));
        bearer(admin).get("/api/v1/audit-events?before=abc").then().statusCode(400).body("field", equalTo("before"));
    }

    @Test
    void forwardedForIsIgnoredUnlessAProxyIsTrusted() {
        String login = Api.newLogin("ghost");
        Api.json().header("X-Forwarded-For", "203.0.113.9").body(Map.of("login", login, "password", "x"))
                .post("/api/v1/auth/login").then().statusCode(401);
        bearer(Api.adminToken()).get("/api/v1/audit-events?type=login_failed&login=" + login).then().statusCode(200)
                .body("events[0].source_ip", equalTo("127.0.0.1"));
    }

    @Test
    void policyChangesAreAuditedWithWhatChanged() {
        Api.policy(Map.of("backup_code_count", 12));
        Api.policy(Map.of("backup_code_count", 10));
        bearer(Api.adminToken()).get("/api/v1/audit-events?type=policy_changed&limit=2").then().statusCode(200)
                .body("events[0].detail", equalTo("backup_code_count 12 -> 10"))
                .body("events[1].detail", equalTo("backup_code_count 10 -> 12"));
    }
}
