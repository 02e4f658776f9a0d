package io.twofa.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.stream.Stream;

import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.resolvers.JwksVerificationKeyResolver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.twofa.support.Api;
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

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SHOTS = Path.of("target", "screenshots");

    @TestHTTPResource("/")
    URL url;

    private WebDriver driver;
    private WebDriverWait wait;
    private Path profileDir;
    private int shotNumber;

    @BeforeEach
    void startBrowser() throws IOException {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM), "no Chromium at " + CHROMIUM + ": browser test skipped");
        Assumptions.assumeTrue(Files.isExecutable(CHROMEDRIVER), "no chromedriver at " + CHROMEDRIVER + ": browser test skipped");
        Files.createDirectories(SHOTS);
        profileDir = Files.createTempDirectory("twofa-chromium-profile");
        // both paths given: Selenium Manager never runs, nothing is downloaded
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toString());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync",
                "--user-data-dir=" + profileDir, "--window-size=1280,900", "--force-device-scale-factor=1", "--lang=en-US",
                "--password-store=basic");
        Map<String, Object> prefs = new HashMap<>();
        prefs.put("credentials_enable_service", false);
        prefs.put("profile.password_manager_enabled", false);
        options.setExperimentalOption("prefs", prefs);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        wait = new WebDriverWait(driver, Duration.ofSeconds(20));
    }

    @AfterEach
    void stopBrowser() throws IOException {
        if (driver != null) {
            driver.quit();
        }
        if (profileDir != null && Files.exists(profileDir)) {
            try (Stream<Path> files = Files.walk(profileDir)) {
                files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    @Test
    void aToolIsApprovedInTheBrowserAfterPasswordAndTotp() throws Exception {
        try {
            Api.Enrolled user = Api.enrolledUser();
            // a fresh 30 s step: the first sign-in uses this step's code, the second the next step's
            TestClock.toStartOfNextStep();
            approveFromTheLink(user);
            correctAMistypedCodeAndDeny(user);
            assertNoScriptErrors();
        } catch (Throwable t) {
            try {
                shot("failure");
            } catch (RuntimeException | IOException e) {
                t.addSuppressed(e);
            }
            throw t;
        }
    }

    private void approveFromTheLink(Api.Enrolled user) throws Exception {
        String deviceName = "render-node-" + user.login().substring(user.login().length() - 4);
        JsonPath grant = DeviceFlowTest.authorize("cli", deviceName);
        String userCode = grant.getString("user_code");
        assertThat(grant.getString("verification_uri_complete")).isEqualTo(base() + "/device?user_code=" + userCode);

        // the link pre-fills the code and asks to compare it with the tool's
        driver.get(grant.getString("verification_uri_complete"));
        waitVisible("screen-device");
        assertThat(byId("device-code").getAttribute("value")).isEqualTo(userCode);
        assertThat(text("device-code-intro")).contains("Check that it shows this same code");
        assertThat(driver.getTitle()).contains("Sign in a program");
        shot("code-from-link");
        submit("device-code-form");

        // the usual sign-in, told what it is for
        waitVisible("screen-login");
        assertThat(text("login-notice")).contains(userCode);
        signIn(user);
        waitVisible("screen-verify");
        active().sendKeys(user.code(0) + Keys.ENTER);

        // what asks, from where, since when
        waitVisible("device-review");
        assertThat(text("device-user-code")).isEqualTo(userCode);
        assertThat(text("device-client")).isEqualTo("Command line (cli)");
        assertThat(text("device-name")).isEqualTo(deviceName);
        assertThat(text("device-requested-from")).isEqualTo("127.0.0.1");
        assertThat(text("device-requested-at")).contains("just now");
        assertThat(text("device-account")).isEqualTo(user.login());
        waitText("device-expiry", "in ");
        assertThat(text("device-warning")).contains("If someone sent you this link or code, choose Deny");
        assertThat(text("header-user-name")).isEqualTo("Signed in as " + user.login());
        shot("review");
        click("device-approve");
        waitText("device-status", "Approved. “" + deviceName + "” is now signed in as " + user.login());
        shot("approved");

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
        click("device-continue");
        waitText("me-login", user.login());
        assertThat(text("me-factor")).isEqualTo("totp (authenticator app)");
        click("sign-out");
        waitVisible("screen-login");
    }

    private void correctAMistypedCodeAndDeny(Api.Enrolled user) throws Exception {
        JsonPath grant = DeviceFlowTest.authorize("desktop", null);
        String userCode = grant.getString("user_code");
        String wrong = userCode.startsWith("B") ? "CCCC-CCCC" : "BBBB-BBBB";

        driver.get(base() + "/device");
        waitVisible("screen-device");
        assertThat(byId("device-code").getAttribute("value")).isEmpty();
        // a code that cannot be one is caught on the page
        type("device-code", "ABCD-1234");
        submit("device-code-form");
        waitText("device-code-error", "A code has 8 letters");
        // one that could be, but is not waiting: told after signing in
        type("device-code", wrong.toLowerCase());
        submit("device-code-form");
        waitVisible("screen-login");
        signIn(user);
        waitVisible("screen-verify");
        active().sendKeys(user.code(1) + Keys.ENTER);
        waitText("device-code-error", "No sign-in request is waiting for this code");
        assertThat(byId("device-code").getAttribute("aria-invalid")).isEqualTo("true");
        shot("wrong-code");
        type("device-code", userCode.replace("-", " ").toLowerCase());
        submit("device-code-form");
        waitVisible("device-review");
        assertThat(text("device-client")).isEqualTo("Flow Production Tracking Desktop (desktop)");
        assertThat(text("device-name")).isEqualTo("(no name given)");
        click("device-deny");
        waitText("device-status", "Denied.");
        shot("denied");
        DeviceFlowTest.pollFails(grant.getString("device_code"), "access-denied", "access_denied");
        click("sign-out");
        waitVisible("screen-login");
        assertThat(text("device-name")).as("nothing of the request stays on the page").isEmpty();
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

    private void assertNoScriptErrors() {
        List<String> severe = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                // the refused code is expected: the console notes each 4xx answer
                .filter(m -> !m.matches("(?s).*/api/v1/.* - Failed to load resource: the server responded with a status of 4\\d\\d.*"))
                .toList();
        assertThat(severe).as("errors in the browser console").isEmpty();
    }

    // ------------------------------------------------------------------------------------------------ page helpers

    private String base() {
        return url.getProtocol() + "://" + url.getHost() + ":" + url.getPort();
    }

    private void signIn(Api.Enrolled user) {
        type("login-login", user.login());
        type("login-password", Api.PASSWORD);
        byId("login-password").sendKeys(Keys.ENTER);
    }

    private WebElement byId(String id) {
        return driver.findElement(By.id(id));
    }

    private WebElement active() {
        return driver.switchTo().activeElement();
    }

    private String text(String id) {
        return byId(id).getText();
    }

    private void type(String id, String value) {
        WebElement field = byId(id);
        field.clear();
        field.sendKeys(value);
    }

    private void click(String id) {
        wait.withMessage(() -> "#" + id + " not clickable").until(d -> byId(id).isDisplayed() && byId(id).isEnabled());
        byId(id).click();
    }

    private void submit(String formId) {
        WebElement button = byId(formId).findElement(By.cssSelector("button[type='submit']"));
        wait.until(d -> button.isEnabled());
        button.click();
    }

    private void waitVisible(String id) {
        wait.withMessage(() -> id + " not shown").until(d -> byId(id).isDisplayed());
    }

    private void waitText(String id, String fragment) {
        wait.withMessage(() -> "'" + fragment + "' not in #" + id + ", which shows: " + text(id))
                .until(d -> byId(id).getText().contains(fragment));
    }

    private void shot(String name) throws IOException {
        if (driver == null) {
            return;
        }
        long height = ((Number) ((JavascriptExecutor) driver)
                .executeScript("return Math.max(document.documentElement.scrollHeight, document.body.scrollHeight)")).longValue();
        driver.manage().window().setSize(new Dimension(1280, (int) Math.min(4000, Math.max(900, height + 120))));
        byte[] png = ((ChromeDriver) driver).getScreenshotAs(OutputType.BYTES);
        Files.write(SHOTS.resolve(String.format("device-%02d-%s.png", ++shotNumber, name)), png);
        driver.manage().window().setSize(new Dimension(1280, 900));
    }
}
