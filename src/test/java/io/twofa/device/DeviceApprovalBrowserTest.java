package io.twofa.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URL;

import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.resolvers.JwksVerificationKeyResolver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Keys;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.twofa.support.Api;
import io.twofa.support.Browser;
import io.twofa.support.TestClock;
import io.twofa.support.WithTwoFactorOn;

/**
 * Device authorization end to end in the system's Chromium: a tool starts over HTTP, the person opens the
 * verification URI, signs in with password and TOTP code, checks what asks and approves; the tool's poll then gets
 * tokens that verify against the JWKS, once. Then a mistyped code, corrected on the page, and a denial. Screenshots go
 * to target/screenshots/device-*.png.
 */
@Tag("slow")
@QuarkusTest
class DeviceApprovalBrowserTest extends WithTwoFactorOn {


    @TestHTTPResource("/")
    URL url;

    private Browser browser;
    private ChromeDriver driver;
    private WebDriverWait wait;

    @BeforeEach
    void startBrowser() throws IOException {
        browser = Browser.start("device-", null);
        driver = browser.driver;
        wait = browser.wait;
    }

    @AfterEach
    void stopBrowser() throws IOException {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void aToolIsApprovedInTheBrowserAfterPasswordAndTotp() throws Exception {
        browser.shotOnFailure(() -> {
            Api.Enrolled user = Api.enrolledUser();
            // a fresh 30 s step: the first sign-in uses this step's code, the second the next step's
            TestClock.toStartOfNextStep();
            approveFromTheLink(user);
            correctAMistypedCodeAndDeny(user);
            assertThat(browser.scriptErrors()).as("errors in the browser console").isEmpty();
        });
    }

    private void approveFromTheLink(Api.Enrolled user) throws Exception {
        String deviceName = "render-node-" + user.login().substring(user.login().length() - 4);
        JsonPath grant = DeviceFlowTest.authorize("cli", deviceName);
        String userCode = grant.getString("user_code");
        assertThat(grant.getString("verification_uri_complete")).isEqualTo(base() + "/device?user_code=" + userCode);

        // the link pre-fills the code and asks to compare it with the tool's
        driver.get(grant.getString("verification_uri_complete"));
        browser.waitVisible("screen-device");
        assertThat(browser.byId("device-code").getAttribute("value")).isEqualTo(userCode);
        assertThat(browser.text("device-code-intro")).contains("Check that it shows this same code");
        assertThat(driver.getTitle()).contains("Sign in a program");
        browser.shot("code-from-link");
        browser.submit("device-code-form");

        // the usual sign-in, told what it is for
        browser.waitVisible("screen-login");
        assertThat(browser.text("login-notice")).contains(userCode);
        signIn(user);
        browser.waitVisible("screen-verify");
        browser.active().sendKeys(user.code(0) + Keys.ENTER);

        // what asks, from where, since when
        browser.waitVisible("device-review");
        assertThat(browser.text("device-user-code")).isEqualTo(userCode);
        assertThat(browser.text("device-client")).isEqualTo("Command line (cli)");
        assertThat(browser.text("device-name")).isEqualTo(deviceName);
        assertThat(browser.text("device-requested-from")).isEqualTo("127.0.0.1");
        assertThat(browser.text("device-requested-at")).contains("just now");
        assertThat(browser.text("device-account")).isEqualTo(user.login());
        browser.waitText("device-expiry", "in ");
        assertThat(browser.text("device-warning")).contains("If someone sent you this link or code, choose Deny");
        assertThat(browser.text("header-user-name")).isEqualTo("Signed in as " + user.login());
        browser.shot("review");
        browser.click("device-approve");
        browser.waitText("device-status", "Approved. “" + deviceName + "” is now signed in as " + user.login());
        browser.shot("approved");

        // the tool's next poll: tokens that verify against the published keys, stating the browser's sign-in
        JsonPath tokens = DeviceFlowTest.pollSucceeds(grant.getString("device_code"));
        JwtClaims claims = verifiedWithJwks(tokens.getString("access_token"));
        assertThat(claims.getStringClaimValue("upn")).isEqualTo(user.login());
        assertThat(claims.getStringListClaimValue("amr")).containsExactly("pwd", "otp", "mfa");
        assertThat(claims.getStringClaimValue("factor")).isEqualTo("totp");
        assertThat(claims.getStringClaimValue("client")).isEqualTo("cli");
        assertThat(tokens.getString("refresh_token")).isNotNull();
        // handed out once
        DeviceFlowTest.pollFails(grant.getString("device_code"), "invalid-grant", "invalid_grant");

        // on to the account, then out
        browser.click("device-continue");
        browser.waitText("me-login", user.login());
        assertThat(browser.text("me-factor")).isEqualTo("totp (authenticator app)");
        browser.click("sign-out");
        browser.waitVisible("screen-login");
    }

    private void correctAMistypedCodeAndDeny(Api.Enrolled user) throws Exception {
        JsonPath grant = DeviceFlowTest.authorize("desktop", null);
        String userCode = grant.getString("user_code");
        String wrong = userCode.startsWith("B") ? "CCCC-CCCC" : "BBBB-BBBB";

        driver.get(base() + "/device");
        browser.waitVisible("screen-device");
        assertThat(browser.byId("device-code").getAttribute("value")).isEmpty();
        // a code that cannot be one is caught on the page
        browser.type("device-code", "ABCD-1234");
        browser.submit("device-code-form");
        browser.waitText("device-code-error", "A code has 8 letters");
        // one that could be, but is not waiting: told after signing in
        browser.type("device-code", wrong.toLowerCase());
        browser.submit("device-code-form");
        browser.waitVisible("screen-login");
        signIn(user);
        browser.waitVisible("screen-verify");
        browser.active().sendKeys(user.code(1) + Keys.ENTER);
        browser.waitText("device-code-error", "No sign-in request is waiting for this code");
        assertThat(browser.byId("device-code").getAttribute("aria-invalid")).isEqualTo("true");
        browser.shot("wrong-code");
        browser.type("device-code", userCode.replace("-", " ").toLowerCase());
        browser.submit("device-code-form");
        browser.waitVisible("device-review");
        assertThat(browser.text("device-client")).isEqualTo("Flow Production Tracking Desktop (desktop)");
        assertThat(browser.text("device-name")).isEqualTo("(no name given)");
        browser.click("device-deny");
        browser.waitText("device-status", "Denied.");
        browser.shot("denied");
        DeviceFlowTest.pollFails(grant.getString("device_code"), "access-denied", "access_denied");
        browser.click("sign-out");
        browser.waitVisible("screen-login");
        assertThat(browser.text("device-name")).as("nothing of the request stays on the page").isEmpty();
    }

    // ------------------------------------------------------------------------------------------------ checks

    private JwtClaims verifiedWithJwks(String jwt) throws Exception {
        String jwks = RestAssured.given().get("/.well-known/jwks.json").then().statusCode(200).extract().asString();
        JwtConsumer consumer = new JwtConsumerBuilder()
                .setVerificationKeyResolver(new JwksVerificationKeyResolver(new JsonWebKeySet(jwks).getJsonWebKeys()))
                .setExpectedIssuer("twofa-service")
                .setExpectedAudience("flow-production-tracking")
                .setRequireExpirationTime()
                .setRequireSubject()
                .setEvaluationTime(org.jose4j.jwt.NumericDate.fromMilliseconds(TestClock.now().toEpochMilli()))
                .build();
        JwtClaims claims = consumer.processToClaims(jwt);
        assertThat(jwt.split("\\.")[0]).as("header").isNotEmpty();
        return claims;
    }

    // ------------------------------------------------------------------------------------------------ page helpers

    private String base() {
        return url.getProtocol() + "://" + url.getHost() + ":" + url.getPort();
    }

    private void signIn(Api.Enrolled user) {
        browser.type("login-login", user.login());
        browser.type("login-password", Api.PASSWORD);
        browser.byId("login-password").sendKeys(Keys.ENTER);
    }
}
