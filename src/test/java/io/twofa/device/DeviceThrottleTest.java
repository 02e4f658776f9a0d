package io.twofa.device;

import static io.twofa.support.Api.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.config.HttpClientConfig;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import io.twofa.support.Db;
import io.twofa.support.ResetsSharedState;
import io.twofa.support.TestClock;

/**
 * The budgets of the device flow: guessing user codes is limited per client address and over all addresses, starting
 * authorizations per address; each window starts afresh and past windows are forgotten. Requests come from several
 * loopback addresses (127.0.0.x), as from several machines. Each test works in a window of its own, far from the
 * real clock's, so the budgets the other tests use are not touched.
 */
@QuarkusTest
class DeviceThrottleTest extends ResetsSharedState {

    private final int perAddress = setting("twofa.device.lookups-per-address");
    private final int overall = setting("twofa.device.lookups-overall");
    private final int authorizations = setting("twofa.device.authorizations-per-address");
    private final Duration window = ConfigProvider.getConfig().getValue("twofa.device.budget-window", Duration.class);

    @Inject
    DeviceCleanup cleanup;

    private static int setting(String key) {
        return ConfigProvider.getConfig().getValue(key, Integer.class);
    }

    /** Requests sent from {@code address} (a loopback address), as the service sees them. */
    static RequestSpecification from(String address) {
        InetAddress local;
        try {
            local = InetAddress.getByName(address);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
        return RestAssured.given().config(RestAssured.config().httpClient(HttpClientConfig.httpClientConfig()
                .setParam("http.route.local-address", local))).contentType(ContentType.JSON).accept(ContentType.JSON);
    }

    /** Moves the clock to just after the start of a budget window {@code days} from now. */
    private void toTheStartOfAWindow(int days) {
        TestClock.advance(Duration.ofDays(days));
        long seconds = window.toSeconds();
        long now = TestClock.now().getEpochSecond();
        TestClock.advance(Duration.between(TestClock.now(), Instant.ofEpochSecond((now / seconds + 1) * seconds + 1)));
    }

    private static String signIn(String address) {
        String login = io.twofa.support.Api.createUser("user");
        return from(address).body(Map.of("login", login, "password", PASSWORD, "client", "web")).post("/api/v1/auth/login")
                .then().statusCode(200).extract().path("access_token");
    }

    private static ValidatableResponse lookUp(String address, String token, String userCode) {
        return from(address).header("Authorization", "Bearer " + token).get("/api/v1/device/requests/" + userCode).then();
    }

    /** A well-formed code that is (all but surely) not waiting. */
    private static String guess() {
        StringBuilder code = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            code.append(DeviceCodes.ALPHABET.charAt(ThreadLocalRandom.current().nextInt(DeviceCodes.ALPHABET.length())));
        }
        return code.toString();
    }

    @Test
    void guessingUserCodesIsLimitedPerAddressAndOverall() {
        toTheStartOfAWindow(40);
        String token = signIn("127.0.0.1");
        String userCode = from("127.0.0.1").body(Map.of("client", "cli")).post(DeviceFlowTest.AUTHORIZE).then().statusCode(200)
                .extract().path("user_code");

        // one address: its budget of lookups, then 429 without evaluation, even for the right code
        for (int i = 0; i < perAddress; i++) {
            lookUp("127.0.0.2", token, guess()).statusCode(404).body("type", equalTo(DeviceFlowTest.PROBLEM + "unknown-user-code"));
        }
        long retryAfter = Long.parseLong(lookUp("127.0.0.2", token, guess()).statusCode(429)
                .contentType("application/problem+json").body("type", equalTo(DeviceFlowTest.PROBLEM + "throttled"))
                .extract().header("Retry-After"));
        assertThat(retryAfter).isPositive().isLessThanOrEqualTo(window.toSeconds());
        lookUp("127.0.0.2", token, userCode).statusCode(429);
        from("127.0.0.2").header("Authorization", "Bearer " + token).post("/api/v1/device/requests/" + userCode + "/approve")
                .then().statusCode(429);
        // another address still may
        lookUp("127.0.0.3", token, userCode).statusCode(200).body("client", equalTo("cli"));

        // over all addresses: many machines, each within its own budget, spend the overall one
        int spent = perAddress + 1;
        for (int host = 4; spent < overall; host++) {
            for (int i = 0; i < perAddress - 1 && spent < overall; i++, spent++) {
                lookUp("127.0.0." + host, token, guess()).statusCode(404);
            }
        }
        lookUp("127.0.0.200", token, userCode).statusCode(429).body("type", equalTo(DeviceFlowTest.PROBLEM + "throttled"));
        assertThat(Db.count("select count(*) from audit_event where type = 'device_user_code_throttled' and source_ip = '127.0.0.2'"))
                .as("the guess, the right code and the approval, all refused").isEqualTo(3);
        assertThat(Db.count("select count(*) from audit_event where type = 'device_user_code_throttled' and source_ip = '127.0.0.200'"))
                .isEqualTo(1);

        // the next window starts afresh
        TestClock.advance(window);
        lookUp("127.0.0.2", signIn("127.0.0.1"), guess()).statusCode(404);
    }

    @Test
    void authorizationsAreLimitedPerAddressAndPastWindowsAreForgotten() {
        toTheStartOfAWindow(50);
        for (int i = 0; i < authorizations; i++) {
            from("127.0.0.6").body(Map.of("client", "toolkit")).post(DeviceFlowTest.AUTHORIZE).then().statusCode(200);
        }
        String retryAfter = from("127.0.0.6").body(Map.of("client", "toolkit")).post(DeviceFlowTest.AUTHORIZE).then()
                .statusCode(429).body("type", equalTo(DeviceFlowTest.PROBLEM + "throttled")).extract().header("Retry-After");
        assertThat(Long.parseLong(retryAfter)).isPositive().isLessThanOrEqualTo(window.toSeconds());
        from("127.0.0.7").body(Map.of("client", "toolkit")).post(DeviceFlowTest.AUTHORIZE).then().statusCode(200);
        assertThat(Db.count("select count(*) from audit_event where type = 'device_authorization_requested' "
                + "and source_ip = '127.0.0.6'")).isEqualTo(authorizations);

        String counters = "select count(*) from attempt_counter where scope = 'device_requests' and subject like '127.0.0.6/%'";
        assertThat(Db.count(counters)).isEqualTo(1);
        TestClock.advance(window);
        cleanup.cleanup().await().atMost(Duration.ofSeconds(10));
        assertThat(Db.count(counters)).as("the past window's counter").isZero();
        from("127.0.0.6").body(Map.of("client", "toolkit")).post(DeviceFlowTest.AUTHORIZE).then().statusCode(200);
    }
}
