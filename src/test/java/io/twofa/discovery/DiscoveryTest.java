package io.twofa.discovery;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.quarkus.test.junit.QuarkusTest;
import io.twofa.support.Api;
import io.twofa.support.ResetsSharedState;

/** GET /.well-known/twofa-configuration: every member of the client contract, with the service's real values. */
@QuarkusTest
class DiscoveryTest extends ResetsSharedState {

    static final String PATH = "/.well-known/twofa-configuration";

    /** The members of the client contract, no more, no fewer. */
    static final List<String> MEMBERS = List.of("issuer", "jwks_uri", "access_token_audience", "login_endpoint",
            "verify_endpoint", "refresh_endpoint", "logout_endpoint", "enrollment_endpoint", "enrollment_confirm_endpoint",
            "step_up_endpoint", "sessions_endpoint", "device_authorization_endpoint", "device_token_endpoint",
            "second_factors_supported", "client_kinds", "refresh_token_clients", "two_factor_required", "enforce_from",
            "access_token_lifetime_seconds", "challenge_token_lifetime_seconds", "refresh_token_idle_lifetime_seconds",
            "refresh_token_absolute_lifetime_seconds", "refresh_grace_period_seconds");

    static JsonPath discovery() {
        return given().accept("application/json").get(PATH).then().statusCode(200).contentType("application/json")
                .header("Cache-Control", "public, max-age=60").extract().jsonPath();
    }

    @Test
    void everyMemberWithTheServicesValues() {
        JsonPath doc = discovery();
        assertThat(doc.getMap("").keySet()).containsExactlyInAnyOrderElementsOf(MEMBERS);
        String base = RestAssured.baseURI + ":" + RestAssured.port;
        assertThat(doc.getString("issuer")).isEqualTo("twofa-service");
        assertThat(doc.getString("access_token_audience")).isEqualTo("flow-production-tracking");
        assertThat(doc.getString("jwks_uri")).isEqualTo(base + "/.well-known/jwks.json");
        Map<String, String> endpoints = Map.ofEntries(Map.entry("login_endpoint", "/api/v1/auth/login"),
                Map.entry("verify_endpoint", "/api/v1/auth/verify"), Map.entry("refresh_endpoint", "/api/v1/auth/refresh"),
                Map.entry("logout_endpoint", "/api/v1/auth/logout"), Map.entry("enrollment_endpoint", "/api/v1/enrollment"),
                Map.entry("enrollment_confirm_endpoint", "/api/v1/enrollment/confirm"),
                Map.entry("step_up_endpoint", "/api/v1/auth/step-up"), Map.entry("sessions_endpoint", "/api/v1/me/sessions"),
                Map.entry("device_authorization_endpoint", "/api/v1/device/authorize"),
                Map.entry("device_token_endpoint", "/api/v1/device/token"));
        endpoints.forEach((member, path) -> assertThat(doc.getString(member)).as(member).isEqualTo(base + path));
        assertThat(doc.getList("second_factors_supported")).containsExactly("totp", "backup_code");
        assertThat(doc.getList("client_kinds", String.class)).contains("web", "desktop", "toolkit", "rv", "review-ios")
                .isSorted().doesNotHaveDuplicates();
        assertThat(doc.getList("refresh_token_clients")).containsExactly("cli", "desktop", "review-ios", "rv", "toolkit");
        assertThat(doc.getBoolean("two_factor_required")).isFalse();
        assertThat(doc.getMap("")).containsEntry("enforce_from", null);
        assertThat(doc.getLong("access_token_lifetime_seconds")).isEqualTo(600);
        assertThat(doc.getLong("challenge_token_lifetime_seconds")).isEqualTo(300);
        assertThat(doc.getLong("refresh_token_idle_lifetime_seconds")).isEqualTo(30L * 24 * 3600);
        assertThat(doc.getLong("refresh_token_absolute_lifetime_seconds")).isEqualTo(90L * 24 * 3600);
        assertThat(doc.getLong("refresh_grace_period_seconds")).isEqualTo(30);
    }

    @Test
    void theUrlsLeadToTheServicesEndpoints() {
        JsonPath doc = discovery();
        given().get(doc.getString("jwks_uri")).then().statusCode(200).body("keys.size()", org.hamcrest.Matchers.greaterThan(0));
        // the endpoints that exist here answer as themselves (a problem about the request, not 404)
        for (String member : List.of("login_endpoint", "verify_endpoint", "refresh_endpoint", "logout_endpoint",
                "enrollment_endpoint", "enrollment_confirm_endpoint")) {
            int status = Api.json().body("{}").post(doc.getString(member)).then().extract().statusCode();
            assertThat(status).as(member).isIn(400, 401);
        }
        Api.json().get(doc.getString("sessions_endpoint")).then().statusCode(401);
    }

    @Test
    void thePolicyIsReadAfresh() {
        Api.twoFactor(true);
        JsonPath on = discovery();
        assertThat(on.getBoolean("two_factor_required")).isTrue();
        assertThat(on.getMap("")).containsEntry("enforce_from", null);

        Instant due = Instant.now().plus(7, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        Api.policy(Map.of("enforce_from", due.toString(), "access_token_lifetime_seconds", 900));
        try {
            JsonPath later = discovery();
            assertThat(later.getBoolean("two_factor_required")).isTrue();
            assertThat(Instant.parse(later.getString("enforce_from"))).isEqualTo(due);
            assertThat(later.getLong("access_token_lifetime_seconds")).isEqualTo(900);
            Api.twoFactor(false);
            // no date is announced for a requirement that is off
            JsonPath off = discovery();
            assertThat(off.getBoolean("two_factor_required")).isFalse();
            assertThat(off.getMap("")).containsEntry("enforce_from", null);
        } finally {
            Api.policy(Map.of("access_token_lifetime_seconds", 600));
        }
    }

    @Test
    void urlsFollowTheAddressTheClientUsedAndNotUntrustedForwardingHeaders() {
        JsonPath viaName = given().header("Host", "twofa.studio.example:8443").get(PATH).then().statusCode(200)
                .extract().jsonPath();
        assertThat(viaName.getString("refresh_endpoint")).isEqualTo("http://twofa.studio.example:8443/api/v1/auth/refresh");
        // no proxy is trusted here: its headers change nothing
        JsonPath forged = given().header("X-Forwarded-Host", "evil.example").header("X-Forwarded-Proto", "https")
                .header("Forwarded", "host=evil.example;proto=https").get(PATH).then().statusCode(200).extract().jsonPath();
        assertThat(forged.getString("login_endpoint")).isEqualTo(RestAssured.baseURI + ":" + RestAssured.port
                + "/api/v1/auth/login");
    }

    @Test
    void noAuthenticationIsNeededAndNoneIsLookedAt() {
        given().header("Authorization", "Bearer not-a-token").get(PATH).then().statusCode(200);
        given().post(PATH).then().statusCode(405).contentType("application/problem+json");
    }
}
