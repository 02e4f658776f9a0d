package io.twofa.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;


import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
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
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;


import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.twofa.backupcode.BackupCodeService;
import io.twofa.backupcode.http.BackupCodesText;
import io.twofa.crypto.Base32Secret;
import io.twofa.support.Api;
import io.twofa.support.TestClock;
import io.twofa.support.QrCodes;
import io.twofa.totp.Totp;

/**
 * The reference web page end to end in the system's Chromium (headless, driven by the system's chromedriver):
 * an admin switches the policy on and creates a user; the user enrols from the page, signs in with a TOTP code and
 * with a backup code, makes new codes, moves to a new phone and runs into the throttle; a second admin looks the
 * user up, issues codes with a reason, resets the second factor and reads the audit trail. A third admin, whose sign-in
 * is no longer recent, is asked to confirm password and code (step-up) and the action then goes through; a user with a
 * temporary password chooses their own. Screenshots of every screen go to target/screenshots/.
 */
@Tag("slow")
@QuarkusTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@org.junit.jupiter.api.Tag("slow")
class WebPageBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SHOTS = Path.of("target", "screenshots");
    private static final String ADMIN_PASSWORD = "test-admin-password";
    private static final String PASSWORD = "browser-test-password-1";
    private static final String ISSUER = "Flow Production Tracking";
    private static final Pattern BACKUP_CODE = Pattern.compile("[2-9A-HJKMNP-Z]{4}(-[2-9A-HJKMNP-Z]{4}){3}");
    private static final Pattern GROUPED_SECRET = Pattern.compile("([A-Z2-7]{4} )*[A-Z2-7]{1,4}");

    @TestHTTPResource("/")
    URL url;

    private final String suffix = UUID.randomUUID().toString().substring(0, 8);
    private final String user = "web-user-" + suffix;
    private final String secondAdmin = "web-admin-" + suffix;

    private Map<String, Object> originalPolicy;

    private WebDriver driver;
    private WebDriverWait wait;
    private Path profileDir;
    private Path downloadDir;
    private int shotNumber;

    // ------------------------------------------------------------------------------------------------ set-up

    @BeforeAll
    void browserPresent() throws IOException {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM), "no Chromium at " + CHROMIUM + ": browser test skipped");
        Assumptions.assumeTrue(Files.isExecutable(CHROMEDRIVER), "no chromedriver at " + CHROMEDRIVER + ": browser test skipped");
        Files.createDirectories(SHOTS);
        try (Stream<Path> old = Files.list(SHOTS)) {
            for (Path png : old.filter(p -> p.toString().endsWith(".png")).toList()) {
                Files.delete(png);
            }
        }
    }

    /** Each test starts with the policy off, long-lived tokens (the page's own clock) and the known issuer. */
    @BeforeEach
    void knownPolicy() {
        if (originalPolicy == null) {
            originalPolicy = Api.bearer(Api.adminToken()).get("/api/v1/site-policy").then().statusCode(200).extract().jsonPath()
                    .getMap("$");
        }
        Map<String, Object> start = new LinkedHashMap<>();
        start.put("two_factor_required", false);
        start.put("enforce_from", null);
        start.put("backup_code_count", 10);
        start.put("issuer", ISSUER);
        start.put("access_token_lifetime_seconds", 3600);
        Api.bearer(Api.adminToken()).body(start).put("/api/v1/site-policy").then().statusCode(200);
    }

    /** The policy as it was (switched off by an admin fit for step-up: the page may have switched it on). */
    @AfterEach
    void policyAsBefore() {
        TestClock.reset();
        Api.forgetAdminToken();
        Map<String, Object> restore = new LinkedHashMap<>();
        restore.put("two_factor_required", false);
        restore.put("enforce_from", originalPolicy.get("enforce_from"));
        restore.put("backup_code_count", originalPolicy.get("backup_code_count"));
        restore.put("issuer", originalPolicy.get("issuer"));
        restore.put("access_token_lifetime_seconds", originalPolicy.get("access_token_lifetime_seconds"));
        Api.bearer(Api.adminToken()).body(restore).put("/api/v1/site-policy").then().statusCode(200);
    }

    @BeforeEach
    void startBrowser() throws IOException {
        profileDir = Files.createTempDirectory("twofa-chromium-profile");
        downloadDir = Files.createTempDirectory("twofa-chromium-downloads");

        // both paths given: Selenium Manager never runs, nothing is downloaded
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toString());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync",
                "--user-data-dir=" + profileDir, "--window-size=1280,900", "--force-device-scale-factor=1",
                "--lang=en-US", "--password-store=basic");
        Map<String, Object> prefs = new HashMap<>();
        prefs.put("download.default_directory", downloadDir.toString());
        prefs.put("download.prompt_for_download", false);
        prefs.put("credentials_enable_service", false);
        prefs.put("profile.password_manager_enabled", false);
        options.setExperimentalOption("prefs", prefs);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);

        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        driver = new ChromeDriver(service, options);
        ((ChromeDriver) driver).executeCdpCommand("Browser.setDownloadBehavior",
                Map.of("behavior", "allow", "downloadPath", downloadDir.toString()));
        wait = new WebDriverWait(driver, Duration.ofSeconds(20));
    }

    @AfterEach
    void stopBrowser() throws IOException {
        if (driver != null) {
            driver.quit();
        }
        for (Path dir : new Path[] { profileDir, downloadDir }) {
            if (dir != null && Files.exists(dir)) {
                try (Stream<Path> files = Files.walk(dir)) {
                    files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ the test

    @Test
    void enrolmentAndSignInInARealBrowser() throws Exception {
        try {
            adminSwitchesPolicyOnAndCreatesUser();
            byte[] key = userEnrolsAndSignsInWithEveryFactor();
            userMakesNewCodesAndMovesToANewPhone(key);
            adminHelpsTheUser();
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

    @Test
    void stepUpDialogAccountChangesAndTemporaryPasswordInARealBrowser() throws Exception {
        try {
            Api.twoFactor(true);
            String admin = "web-stepup-admin-" + suffix;
            String target = "web-target-" + suffix;
            Api.bearer(Api.adminToken()).body(Map.of("login", admin, "password", PASSWORD, "role", "admin"))
                    .post("/api/v1/users").then().statusCode(201);
            Api.bearer(Api.adminToken()).body(Map.of("login", target, "password", PASSWORD, "role", "user"))
                    .post("/api/v1/users").then().statusCode(201);
            byte[] key = enrolOverRest(admin);

            // ---- the admin signs in with password and code
            TestClock.toStartOfNextStep();
            driver.get(url.toString());
            signIn(admin, PASSWORD);
            waitVisible("screen-verify");
            type("totp-code", Totp.code(key, TestClock.now()));
            submit("totp-form");
            waitText("me-login", admin);

            // ---- who has not set up the app yet
            click("tab-users");
            type("list-prefix", target);
            new Select(byId("list-enrolled")).selectByValue("false");
            submit("list-users-form");
            waitText("users-rows", target);
            assertThat(text("users-rows")).contains("Not set up").contains("active");
            shot("admin-accounts-not-enrolled");
            byId("users-rows").findElement(By.xpath(".//button[normalize-space()='" + target + "']")).click();
            waitText("user-card-title", target);
            assertThat(factValue("Status")).isEqualTo("Active");

            // ---- six minutes later the sign-in is not recent: a sensitive change asks to confirm it is you, then goes on
            TestClock.advance(Duration.ofMinutes(6));
            type("temp-password", "temporary-pass-1");
            submit("temp-password-form");
            waitVisible("stepup-dialog");
            assertThat(text("stepup-intro")).contains("5 minutes");
            assertThat(active().getAttribute("id")).isEqualTo("stepup-password");
            shot("step-up-dialog");
            type("stepup-password", PASSWORD);
            type("stepup-code", wrongCode(key));
            submit("stepup-form");
            waitText("stepup-error", "The code is incorrect.");
            assertThat(byId("stepup-dialog").isDisplayed()).isTrue();
            assertThat(Api.bearer(Api.adminToken()).get("/api/v1/users/" + target).then().extract().<Boolean>path(
                    "password_change_required")).as("nothing done before the step-up").isFalse();
            shot("step-up-wrong-code");
            type("stepup-code", Totp.code(key, TestClock.now()));
            submit("stepup-form");
            waitText("users-status", "Temporary password set for " + target);
            assertThat(byId("stepup-dialog").isDisplayed()).isFalse();
            assertThat(factValue("Must change password")).startsWith("Yes");
            var reset = Api.bearer(Api.adminToken()).get("/api/v1/audit-events?type=password_reset&login=" + target).then()
                    .statusCode(200).extract().jsonPath();
            assertThat(reset.getList("events")).hasSize(1);
            assertThat(reset.getString("events[0].actor")).isEqualTo(admin);
            assertThat(reset.getLong("events[0].actor_auth_age_seconds")).isBetween(0L, 60L);
            shot("step-up-done");

            // ---- the fresh sign-in covers the next change: no dialog
            new Select(byId("account-status")).selectByValue("disabled");
            submit("account-form");
            waitText("users-status", "Saved: " + target + " is disabled");
            assertThat(byId("stepup-dialog").isDisplayed()).isFalse();
            assertThat(factValue("Status")).startsWith("Disabled");

            // ---- cancelled: nothing changes
            TestClock.advance(Duration.ofMinutes(6));
            new Select(byId("account-role")).selectByValue("client");
            submit("account-form");
            waitVisible("stepup-dialog");
            click("stepup-cancel");
            waitText("account-error", "Not changed");
            assertThat(byId("stepup-dialog").isDisplayed()).isFalse();
            assertThat(Api.bearer(Api.adminToken()).get("/api/v1/users/" + target).then().extract().<String>path("role"))
                    .isEqualTo("user");
            signOut();

            // ---- the user, enabled again, signs in with the temporary password and chooses their own
            Api.bearer(Api.adminToken()).body(Map.of("status", "active")).patch("/api/v1/users/" + target).then().statusCode(200);
            signIn(target, "temporary-pass-1");
            waitVisible("screen-password");
            assertThat(text("screen-password")).contains(target);
            shot("choose-new-password");
            type("new-own-password", "my-own-password-1");
            type("new-own-password-again", "my-own-password-2");
            submit("password-change-form");
            waitText("password-change-error", "The two passwords differ");
            type("new-own-password", "my-own-password-1");
            type("new-own-password-again", "my-own-password-1");
            submit("password-change-form");
            // the sign-in goes on where the new password leads: enrolment, as the policy is on
            waitVisible("screen-enroll");
            assertThat(text("enroll-title")).isEqualTo("Set up your authenticator app");
            click("enroll-cancel");
            waitVisible("screen-login");
            assertThat(Api.login(target, "my-own-password-1").getString("status")).isEqualTo("enrollment_required");
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

    /** Enrols an account over REST in the login flow (policy on); its TOTP key. */
    private static byte[] enrolOverRest(String login) {
        String challenge = Api.login(login, PASSWORD).getString("challenge_token");
        String secret = Api.bearer(challenge).body("{}").post("/api/v1/enrollment").then().statusCode(201).extract().path("secret");
        byte[] key = Base32Secret.decode(secret);
        // the previous step's code, leaving the current one free for the sign-in
        String code = Totp.format(Totp.hotp(key, Totp.step(TestClock.now()) - 1, Totp.HMAC_SHA1, 6), 6);
        Api.bearer(challenge).body(Map.of("code", code)).post("/api/v1/enrollment/confirm").then().statusCode(200);
        return key;
    }

    private void adminSwitchesPolicyOnAndCreatesUser() throws IOException {
        // the second admin, made over REST (creating an admin needs step-up, which the helper's admin token passes)
        Api.bearer(Api.adminToken()).body(Map.of("login", secondAdmin, "password", PASSWORD, "role", "admin"))
                .post("/api/v1/users").then().statusCode(201);
        driver.get(url.toString());
        waitVisible("screen-login");
        assertThat(driver.getTitle()).contains("Sign in");
        shot("sign-in");

        // keyboard only: the login field has the focus, Tab to the password, Enter sends
        wait.until(d -> "login-login".equals(active().getAttribute("id")));
        active().sendKeys("admin" + Keys.TAB + ADMIN_PASSWORD + Keys.ENTER);
        waitText("me-login", "admin");
        assertThat(text("me-amr")).isEqualTo("pwd");
        assertThat(text("me-factor")).isEqualTo("None (password only)");
        assertThat(text("me-client")).isEqualTo("web");
        waitText("me-expiry", "(in ");
        assertThat(text("header-user-name")).isEqualTo("Signed in as admin");
        shot("admin-signed-in");

        // site policy, reached and switched on with the keyboard: arrow keys move between tabs, space flips the switch
        byId("tab-account").sendKeys(Keys.ARROW_RIGHT);
        wait.until(d -> "true".equals(byId("tab-policy").getAttribute("aria-selected")) && byId("panel-policy").isDisplayed());
        assertThat(active().getAttribute("id")).isEqualTo("tab-policy");
        wait.until(d -> !byId("policy-issuer").getAttribute("value").isEmpty());
        assertThat(byId("policy-required").isSelected()).isFalse();
        assertThat(byId("policy-issuer").getAttribute("value")).isEqualTo(ISSUER);
        byId("policy-required").sendKeys(Keys.SPACE);
        submit("policy-form");
        waitText("policy-status", "Saved. Two-step verification is required.");
        assertThat(byId("policy-required").isSelected()).isTrue();
        assertThat(text("policy-updated")).contains("by admin");
        shot("admin-site-policy");

        // a wrong value: the problem detail is shown and the field marked
        type("policy-count", "50");
        submit("policy-form");
        waitText("policy-error", "backup_code_count");
        assertThat(byId("policy-count").getAttribute("aria-invalid")).isEqualTo("true");
        shot("admin-site-policy-invalid");
        click("tab-policy"); // reload: the stored policy is unchanged
        wait.until(d -> "10".equals(byId("policy-count").getAttribute("value")));

        // users: create one
        click("tab-users");
        type("new-login", user);
        type("new-password", PASSWORD);
        new Select(byId("new-role")).selectByValue("user");
        submit("create-user-form");
        waitText("users-status", "Created user " + user + ".");
        assertThat(text("user-card-title")).isEqualTo(user);
        assertThat(text("user-facts")).contains("Not set up");
        // backup codes before enrolment: refused, with the service's words
        type("issue-reason", "testing the refusal");
        submit("issue-codes-form");
        waitText("issue-codes-error", "Set up an authenticator app first");
        shot("admin-users");

        // audit events
        click("tab-audit");
        waitText("audit-rows", "account_created");
        assertThat(text("audit-rows")).contains(user).contains("policy_changed");
        shot("admin-audit");

        signOut();
    }

    private byte[] userEnrolsAndSignsInWithEveryFactor() throws Exception {
        // ---- password: the policy sends an unenrolled user to enrolment
        signIn(user, PASSWORD);
        waitVisible("screen-enroll");
        assertThat(text("enroll-title")).isEqualTo("Set up your authenticator app");
        assertThat(text("enroll-account")).isEqualTo(ISSUER + " (" + user + ")");

        WebElement qr = byId("enroll-qr");
        wait.until(d -> ((Number) js("return arguments[0].naturalWidth", qr)).intValue() > 0);
        assertThat(((Number) js("return arguments[0].naturalWidth", qr)).intValue()).isGreaterThanOrEqualTo(256);
        assertThat(qr.getSize().getWidth()).isGreaterThanOrEqualTo(256);
        assertThat(qr.getSize().getHeight()).isEqualTo(qr.getSize().getWidth());
        assertThat(js("return getComputedStyle(arguments[0]).imageRendering", qr)).isEqualTo("pixelated");
        assertThat((String) qr.getAttribute("src")).startsWith("data:image/png;base64,");

        String grouped = text("enroll-secret");
        assertThat(grouped).matches(GROUPED_SECRET);
        String secret = grouped.replace(" ", "");
        assertThat(secret).hasSize(32);
        // what a phone camera would read from the screen
        String scanned = scanQr(qr);
        assertThat(scanned).startsWith("otpauth://totp/").contains("secret=" + secret).contains("issuer=Flow%20Production%20Tracking");
        assertThat(byId("enroll-code").getAttribute("autocomplete")).isEqualTo("one-time-code");
        assertThat(byId("enroll-code").getAttribute("inputmode")).isEqualTo("numeric");
        shot("enrollment");
        elementShot("screen-enroll", "enrollment-card");

        // ---- Verify and Save
        byte[] key = Base32Secret.decode(secret);
        type("enroll-code", Totp.code(key, Instant.now()));
        clickButton("enroll-form", "Verify and Save");
        waitVisible("screen-codes");
        List<String> codes = shownCodes();
        assertThat(codes).hasSize(10).allMatch(c -> BACKUP_CODE.matcher(c).matches());
        assertThat(text("codes-title")).isEqualTo("Authenticator app saved");
        assertThat(text("codes-sheet-title")).isEqualTo(ISSUER + " backup codes for " + user);
        shot("backup-codes");
        printPreviewShowsOnlyTheCodes();
        assertSavedTextFile(codes);

        click("codes-done");
        waitText("me-login", user);
        assertThat(text("me-factor")).isEqualTo("totp (authenticator app)");
        assertThat(text("me-amr")).isEqualTo("pwd, otp, mfa");
        waitText("me-codes-left", "10");
        assertThat(text("me-enrolled")).startsWith("Set up on");
        assertThat(shownCodesOnPage()).isZero();
        shot("signed-in-after-enrolment");
        signOut();

        // ---- password + TOTP: a wrong code first, then the code of the next step (this one was used at enrolment)
        signIn(user, PASSWORD);
        waitVisible("screen-verify");
        wait.until(d -> "totp-code".equals(active().getAttribute("id")));
        assertThat(byId("totp-code").getAttribute("autocomplete")).isEqualTo("one-time-code");
        assertThat(byId("totp-code").getAttribute("inputmode")).isEqualTo("numeric");
        assertThat(text("screen-verify")).contains("Signing in as " + user);
        active().sendKeys(wrongCode(key) + Keys.ENTER);
        waitText("totp-error", "The code is incorrect.");
        shot("second-factor-wrong-code");
        active().sendKeys(nextStepCode(key) + Keys.ENTER);
        waitText("me-login", user);
        assertThat(text("me-factor")).isEqualTo("totp (authenticator app)");
        assertThat(text("me-amr")).isEqualTo("pwd, otp, mfa");
        shot("signed-in-with-totp");
        signOut();

        // ---- password + backup code (typed loosely: lower case, no dashes)
        signIn(user, PASSWORD);
        waitVisible("screen-verify");
        byId("use-backup").sendKeys(Keys.ENTER);
        wait.until(d -> "backup-code".equals(active().getAttribute("id")));
        shot("second-factor-backup-code");
        active().sendKeys(codes.get(0).replace("-", "").toLowerCase() + Keys.ENTER);
        waitText("me-login", user);
        assertThat(text("me-factor")).isEqualTo("backup_code (backup code)");
        assertThat(text("me-amr")).isEqualTo("pwd, otp, mfa");
        assertThat(text("home-notice")).contains("9 backup codes are left");
        waitText("me-codes-left", "9");
        shot("signed-in-with-backup-code");
        return key;
    }

    private void userMakesNewCodesAndMovesToANewPhone(byte[] oldKey) throws Exception {
        // ---- Generate new codes (still signed in from the backup code)
        type("regen-password", "not-the-password");
        submit("regen-form");
        waitText("regen-error", "The password is incorrect.");
        type("regen-password", PASSWORD);
        submit("regen-form");
        waitVisible("screen-codes");
        assertThat(text("codes-status")).contains("Your previous backup codes no longer work.");
        List<String> fresh = shownCodes();
        assertThat(fresh).hasSize(10).allMatch(c -> BACKUP_CODE.matcher(c).matches());
        shot("new-backup-codes");
        assertSavedTextFile(fresh);
        click("codes-done");
        waitText("me-codes-left", "10");

        // ---- Move to a new phone
        type("phone-password", PASSWORD);
        submit("phone-form");
        waitVisible("screen-enroll");
        assertThat(text("enroll-title")).isEqualTo("Set up your new phone");
        String secret = text("enroll-secret").replace(" ", "");
        byte[] newKey = Base32Secret.decode(secret);
        assertThat(newKey).isNotEqualTo(oldKey);
        shot("new-phone");
        type("enroll-code", Totp.code(newKey, Instant.now()));
        clickButton("enroll-form", "Verify and Save");
        waitVisible("screen-codes");
        assertThat(shownCodes()).hasSize(10);
        click("codes-done");
        waitText("me-enrolled", "Set up on");
        signOut();

        // ---- too many wrong codes: 429 and a countdown, the button off
        signIn(user, PASSWORD);
        waitVisible("screen-verify");
        boolean throttled = false;
        for (int attempt = 1; attempt <= 7 && !throttled; attempt++) {
            type("totp-code", wrongCode(newKey));
            submit("totp-form");
            wait.until(d -> !text("totp-error").isEmpty());
            throttled = text("totp-error").startsWith("Too many failed attempts");
            if (!throttled) {
                assertThat(text("totp-error")).isEqualTo("The code is incorrect.");
                assertThat(attempt).isLessThanOrEqualTo(5);
            }
        }
        assertThat(throttled).as("a 429 after five wrong codes").isTrue();
        String countdown = byId("totp-error").findElement(By.className("countdown")).getText();
        assertThat(countdown).matches("0:[0-3]\\d");
        assertThat(submitButton("totp-form").isEnabled()).isFalse();
        String later = waitForChange("totp-error", text("totp-error"));
        assertThat(later).startsWith("Too many failed attempts");
        shot("second-factor-throttled");
        click("verify-cancel");
        waitVisible("screen-login");
    }

    private void adminHelpsTheUser() throws Exception {
        // a second admin (created over REST) signs in: the policy makes them enrol first
        signIn(secondAdmin, PASSWORD);
        waitVisible("screen-enroll");
        byte[] key = Base32Secret.decode(text("enroll-secret").replace(" ", ""));
        type("enroll-code", Totp.code(key, Instant.now()));
        clickButton("enroll-form", "Verify and Save");
        waitVisible("screen-codes");
        click("codes-done");
        waitText("me-login", secondAdmin);

        click("tab-users");
        assertThat(byId("user-card").isDisplayed()).as("the first admin's user card was cleared at sign-out").isFalse();
        type("find-login", user);
        submit("find-user-form");
        waitText("user-card-title", user);
        assertThat(text("user-facts")).contains("Set up on");
        assertThat(factValue("Failed codes in a row")).isEqualTo("5");
        shot("admin-user-throttled");

        // new backup codes, with a reason
        type("issue-reason", "lost phone and codes (browser test)");
        submit("issue-codes-form");
        waitVisible("screen-codes");
        assertThat(text("codes-title")).isEqualTo("New backup codes for " + user);
        assertThat(text("codes-sheet-title")).isEqualTo(ISSUER + " backup codes for " + user);
        assertThat(shownCodes()).hasSize(10);
        shot("admin-issued-backup-codes");
        click("codes-done");
        waitText("users-status", "Issued new backup codes to " + user + ".");

        // reset: the first press asks, the second does it
        click("reset-button");
        waitText("reset-button", "Yes, reset " + user + "'s second factor");
        click("reset-button");
        waitText("users-status", "Second factor of " + user + " reset");
        assertThat(factValue("Authenticator app")).isEqualTo("Not set up");
        assertThat(factValue("Backup codes left")).isEqualTo("0");
        assertThat(factValue("Codes blocked until")).isEqualTo("–");
        shot("admin-user-reset");

        click("tab-audit");
        type("audit-login", user);
        submit("audit-form");
        waitText("audit-rows", "second_factor_reset");
        assertThat(text("audit-rows")).contains("backup_codes_issued").contains("lost phone and codes (browser test)")
                .contains("second_factor_throttled").contains("backup_code_used").contains("enrolled");
        shot("admin-audit-user");
        signOut();
    }

    // ------------------------------------------------------------------------------------------------ checks

    /** Under print media only the sheet of codes is shown. */
    private void printPreviewShowsOnlyTheCodes() throws IOException {
        ChromeDriver chrome = (ChromeDriver) driver;
        chrome.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("media", "print"));
        try {
            assertThat(byId("codes-list").isDisplayed()).isTrue();
            assertThat(byId("codes-sheet-title").isDisplayed()).isTrue();
            for (String hidden : List.of("codes-title", "codes-print", "codes-save", "codes-done", "codes-intro")) {
                assertThat(byId(hidden).isDisplayed()).as(hidden + " printed").isFalse();
            }
            assertThat(driver.findElement(By.className("site-header")).isDisplayed()).isFalse();
            shot("backup-codes-print");
        } finally {
            chrome.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("media", ""));
        }
    }

    /** "Save to text file" writes exactly the service's text form of the shown set. */
    private void assertSavedTextFile(List<String> codes) throws Exception {
        Path file = downloadDir.resolve("backup-codes.txt");
        Files.deleteIfExists(file);
        click("codes-save");
        waitText("codes-save-status", "backup-codes.txt");
        long deadline = System.currentTimeMillis() + 15_000;
        while (!Files.exists(file) && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertThat(file).as("downloaded backup-codes.txt").exists();
        String saved = Files.readString(file, StandardCharsets.UTF_8);
        Matcher generated = Pattern.compile("(?m)^Generated (\\S+)$").matcher(saved);
        assertThat(generated.find()).as("a Generated line in\n" + saved).isTrue();
        String expected = BackupCodesText.of(
                new BackupCodeService.IssuedSet(text("codes-sheet-title").replace(ISSUER + " backup codes for ", ""), ISSUER,
                        codes, Instant.parse(generated.group(1))));
        assertThat(saved).isEqualTo(expected);
    }

    private void assertNoScriptErrors() {
        List<String> severe = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                // refused codes and passwords are expected here: the console notes each 4xx answer
                .filter(m -> !m.matches("(?s).*/api/v1/.* - Failed to load resource: the server responded with a status of 4\\d\\d.*"))
                .toList();
        assertThat(severe).as("errors in the browser console").isEmpty();
    }

    private static String scanQr(WebElement qr) throws Exception {
        return QrCodes.decode(qr.getScreenshotAs(OutputType.BYTES));
    }

    /** The code of the step after the current one: accepted (T+1) and never used before. */
    private static String nextStepCode(byte[] key) {
        return Totp.format(Totp.hotp(key, Totp.step(TestClock.now()) + 1, Totp.HMAC_SHA1, 6), 6);
    }

    /** A 6-digit code that no step near now produces. */
    private static String wrongCode(byte[] key) {
        long now = Totp.step(TestClock.now());
        Set<String> near = new HashSet<>();
        for (long s = now - 3; s <= now + 3; s++) {
            near.add(Totp.format(Totp.hotp(key, s, Totp.HMAC_SHA1, 6), 6));
        }
        for (int candidate = 123456;; candidate += 111111) {
            String code = Totp.format(candidate % 1_000_000, 6);
            if (!near.contains(code)) {
                return code;
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ page helpers

    private void signIn(String login, String password) {
        waitVisible("screen-login");
        type("login-login", login);
        type("login-password", password);
        byId("login-password").sendKeys(Keys.ENTER);
    }

    private void signOut() {
        click("sign-out");
        waitVisible("screen-login");
        waitText("login-notice", "You have signed out.");
    }

    private List<String> shownCodes() {
        wait.until(d -> !d.findElements(By.cssSelector("#codes-list li")).isEmpty());
        return driver.findElements(By.cssSelector("#codes-list li")).stream().map(WebElement::getText).toList();
    }

    private int shownCodesOnPage() {
        return driver.findElements(By.cssSelector("#codes-list li")).size();
    }

    /** The value of one row of the admin's user card. */
    private String factValue(String name) {
        return byId("user-facts").findElement(By.xpath("./dt[normalize-space()='" + name + "']/following-sibling::dd[1]"))
                .getText();
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

    private WebElement submitButton(String formId) {
        return byId(formId).findElement(By.cssSelector("button[type='submit']"));
    }

    private void submit(String formId) {
        wait.withMessage(() -> "the button of #" + formId + " stays disabled").until(d -> submitButton(formId).isEnabled());
        submitButton(formId).click();
    }

    private void clickButton(String formId, String label) {
        WebElement button = byId(formId).findElement(By.xpath(".//button[normalize-space()='" + label + "']"));
        wait.until(d -> button.isEnabled());
        button.click();
    }

    private void waitVisible(String id) {
        wait.withMessage(() -> id + " not shown").until(d -> byId(id).isDisplayed());
    }

    private void waitText(String id, String fragment) {
        wait.withMessage(() -> "'" + fragment + "' not in #" + id + ", which shows: " + safeText(id))
                .until(d -> byId(id).getText().contains(fragment));
    }

    private String waitForChange(String id, String before) {
        wait.until(d -> !byId(id).getText().equals(before));
        return text(id);
    }

    private String safeText(String id) {
        try {
            return text(id);
        } catch (RuntimeException e) {
            return "(" + e.getClass().getSimpleName() + ")";
        }
    }

    private Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** One element, whole: the window is made tall enough first. */
    private void elementShot(String id, String name) throws IOException {
        long height = ((Number) js("return document.documentElement.scrollHeight")).longValue();
        driver.manage().window().setSize(new Dimension(1280, (int) Math.min(4000, Math.max(900, height + 120))));
        js("window.scrollTo(0, 0)");
        Files.write(SHOTS.resolve(name + ".png"), byId(id).getScreenshotAs(OutputType.BYTES));
        driver.manage().window().setSize(new Dimension(1280, 900));
    }

    /** A full-page screenshot, numbered in the order taken. */
    private void shot(String name) throws IOException {
        if (driver == null) {
            return;
        }
        long height = ((Number) js("return Math.max(document.documentElement.scrollHeight, document.body.scrollHeight)")).longValue();
        driver.manage().window().setSize(new Dimension(1280, (int) Math.min(4000, Math.max(900, height + 120))));
        js("window.scrollTo(0, 0)");
        byte[] png = ((ChromeDriver) driver).getScreenshotAs(OutputType.BYTES);
        Files.write(SHOTS.resolve(String.format("%02d-%s.png", ++shotNumber, name)), png);
        driver.manage().window().setSize(new Dimension(1280, 900));
    }
}
