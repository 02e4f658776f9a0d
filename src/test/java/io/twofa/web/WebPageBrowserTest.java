package io.twofa.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;


import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;


import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.twofa.backupcode.BackupCodeService;
import io.twofa.backupcode.http.BackupCodesText;
import io.twofa.crypto.Base32Secret;
import io.twofa.support.Api;
import io.twofa.support.Browser;
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

    private Browser browser;
    private ChromeDriver driver;
    private WebDriverWait wait;
    private Path downloadDir;

    // ------------------------------------------------------------------------------------------------ set-up

    @BeforeAll
    void browserPresent() throws IOException {
        Browser.assumeInstalled();
        Files.createDirectories(Browser.SHOTS);
        try (Stream<Path> old = Files.list(Browser.SHOTS)) {
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
        downloadDir = Files.createTempDirectory("twofa-chromium-downloads");
        browser = Browser.start("", downloadDir);
        driver = browser.driver;
        wait = browser.wait;
    }

    @AfterEach
    void stopBrowser() throws IOException {
        if (browser != null) {
            browser.close();
        }
        Browser.deleteTree(downloadDir);
    }

    // ------------------------------------------------------------------------------------------------ the test

    @Test
    void enrolmentAndSignInInARealBrowser() throws Exception {
        browser.shotOnFailure(() -> {
            adminSwitchesPolicyOnAndCreatesUser();
            byte[] key = userEnrolsAndSignsInWithEveryFactor();
            userMakesNewCodesAndMovesToANewPhone(key);
            adminHelpsTheUser();
            assertThat(browser.scriptErrors()).as("errors in the browser console").isEmpty();
        });
    }

    @Test
    void stepUpDialogAccountChangesAndTemporaryPasswordInARealBrowser() throws Exception {
        browser.shotOnFailure(() -> {
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
            browser.waitVisible("screen-verify");
            browser.type("totp-code", Totp.code(key, TestClock.now()));
            browser.submit("totp-form");
            browser.waitText("me-login", admin);

            // ---- who has not set up the app yet
            browser.click("tab-users");
            browser.type("list-prefix", target);
            new Select(browser.byId("list-enrolled")).selectByValue("false");
            browser.submit("list-users-form");
            browser.waitText("users-rows", target);
            assertThat(browser.text("users-rows")).contains("Not set up").contains("active");
            browser.shot("admin-accounts-not-enrolled");
            browser.byId("users-rows").findElement(By.xpath(".//button[normalize-space()='" + target + "']")).click();
            browser.waitText("user-card-title", target);
            assertThat(factValue("Status")).isEqualTo("Active");

            // ---- six minutes later the sign-in is not recent: a sensitive change asks to confirm it is you, then goes on
            TestClock.advance(Duration.ofMinutes(6));
            browser.type("temp-password", "temporary-pass-1");
            browser.submit("temp-password-form");
            browser.waitVisible("stepup-dialog");
            assertThat(browser.text("stepup-intro")).contains("5 minutes");
            assertThat(browser.active().getAttribute("id")).isEqualTo("stepup-password");
            browser.shot("step-up-dialog");
            browser.type("stepup-password", PASSWORD);
            browser.type("stepup-code", wrongCode(key));
            browser.submit("stepup-form");
            browser.waitText("stepup-error", "The code is incorrect.");
            assertThat(browser.byId("stepup-dialog").isDisplayed()).isTrue();
            assertThat(Api.bearer(Api.adminToken()).get("/api/v1/users/" + target).then().extract().<Boolean>path(
                    "password_change_required")).as("nothing done before the step-up").isFalse();
            browser.shot("step-up-wrong-code");
            browser.type("stepup-code", Totp.code(key, TestClock.now()));
            browser.submit("stepup-form");
            browser.waitText("users-status", "Temporary password set for " + target);
            assertThat(browser.byId("stepup-dialog").isDisplayed()).isFalse();
            assertThat(factValue("Must change password")).startsWith("Yes");
            var reset = Api.bearer(Api.adminToken()).get("/api/v1/audit-events?type=password_reset&login=" + target).then()
                    .statusCode(200).extract().jsonPath();
            assertThat(reset.getList("events")).hasSize(1);
            assertThat(reset.getString("events[0].actor")).isEqualTo(admin);
            assertThat(reset.getLong("events[0].actor_auth_age_seconds")).isBetween(0L, 60L);
            browser.shot("step-up-done");

            // ---- the fresh sign-in covers the next change: no dialog
            new Select(browser.byId("account-status")).selectByValue("disabled");
            browser.submit("account-form");
            browser.waitText("users-status", "Saved: " + target + " is disabled");
            assertThat(browser.byId("stepup-dialog").isDisplayed()).isFalse();
            assertThat(factValue("Status")).startsWith("Disabled");

            // ---- cancelled: nothing changes
            TestClock.advance(Duration.ofMinutes(6));
            new Select(browser.byId("account-role")).selectByValue("client");
            browser.submit("account-form");
            browser.waitVisible("stepup-dialog");
            browser.click("stepup-cancel");
            browser.waitText("account-error", "Not changed");
            assertThat(browser.byId("stepup-dialog").isDisplayed()).isFalse();
            assertThat(Api.bearer(Api.adminToken()).get("/api/v1/users/" + target).then().extract().<String>path("role"))
                    .isEqualTo("user");
            signOut();

            // ---- the user, enabled again, signs in with the temporary password and chooses their own
            Api.bearer(Api.adminToken()).body(Map.of("status", "active")).patch("/api/v1/users/" + target).then().statusCode(200);
            signIn(target, "temporary-pass-1");
            browser.waitVisible("screen-password");
            assertThat(browser.text("screen-password")).contains(target);
            browser.shot("choose-new-password");
            browser.type("new-own-password", "my-own-password-1");
            browser.type("new-own-password-again", "my-own-password-2");
            browser.submit("password-change-form");
            browser.waitText("password-change-error", "The two passwords differ");
            browser.type("new-own-password", "my-own-password-1");
            browser.type("new-own-password-again", "my-own-password-1");
            browser.submit("password-change-form");
            // the sign-in goes on where the new password leads: enrolment, as the policy is on
            browser.waitVisible("screen-enroll");
            assertThat(browser.text("enroll-title")).isEqualTo("Set up your authenticator app");
            browser.click("enroll-cancel");
            browser.waitVisible("screen-login");
            assertThat(Api.login(target, "my-own-password-1").getString("status")).isEqualTo("enrollment_required");
            assertThat(browser.scriptErrors()).as("errors in the browser console").isEmpty();
        });
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
        browser.waitVisible("screen-login");
        assertThat(driver.getTitle()).contains("Sign in");
        browser.shot("sign-in");

        // keyboard only: the login field has the focus, Tab to the password, Enter sends
        wait.until(d -> "login-login".equals(browser.active().getAttribute("id")));
        browser.active().sendKeys("admin" + Keys.TAB + ADMIN_PASSWORD + Keys.ENTER);
        browser.waitText("me-login", "admin");
        assertThat(browser.text("me-amr")).isEqualTo("pwd");
        assertThat(browser.text("me-factor")).isEqualTo("None (password only)");
        assertThat(browser.text("me-client")).isEqualTo("web");
        browser.waitText("me-expiry", "(in ");
        assertThat(browser.text("header-user-name")).isEqualTo("Signed in as admin");
        browser.shot("admin-signed-in");

        // site policy, reached and switched on with the keyboard: arrow keys move between tabs, space flips the switch
        browser.byId("tab-account").sendKeys(Keys.ARROW_RIGHT);
        wait.until(d -> "true".equals(browser.byId("tab-policy").getAttribute("aria-selected")) && browser.byId("panel-policy").isDisplayed());
        assertThat(browser.active().getAttribute("id")).isEqualTo("tab-policy");
        wait.until(d -> !browser.byId("policy-issuer").getAttribute("value").isEmpty());
        assertThat(browser.byId("policy-required").isSelected()).isFalse();
        assertThat(browser.byId("policy-issuer").getAttribute("value")).isEqualTo(ISSUER);
        browser.byId("policy-required").sendKeys(Keys.SPACE);
        browser.submit("policy-form");
        browser.waitText("policy-status", "Saved. Two-step verification is required.");
        assertThat(browser.byId("policy-required").isSelected()).isTrue();
        assertThat(browser.text("policy-updated")).contains("by admin");
        browser.shot("admin-site-policy");

        // a wrong value: the problem detail is shown and the field marked
        browser.type("policy-count", "50");
        browser.submit("policy-form");
        browser.waitText("policy-error", "backup_code_count");
        assertThat(browser.byId("policy-count").getAttribute("aria-invalid")).isEqualTo("true");
        browser.shot("admin-site-policy-invalid");
        browser.click("tab-policy"); // reload: the stored policy is unchanged
        wait.until(d -> "10".equals(browser.byId("policy-count").getAttribute("value")));

        // users: create one
        browser.click("tab-users");
        browser.type("new-login", user);
        browser.type("new-password", PASSWORD);
        new Select(browser.byId("new-role")).selectByValue("user");
        browser.submit("create-user-form");
        browser.waitText("users-status", "Created user " + user + ".");
        assertThat(browser.text("user-card-title")).isEqualTo(user);
        assertThat(browser.text("user-facts")).contains("Not set up");
        // backup codes before enrolment: refused, with the service's words
        browser.type("issue-reason", "testing the refusal");
        browser.submit("issue-codes-form");
        browser.waitText("issue-codes-error", "Set up an authenticator app first");
        browser.shot("admin-users");

        // audit events
        browser.click("tab-audit");
        browser.waitText("audit-rows", "account_created");
        assertThat(browser.text("audit-rows")).contains(user).contains("policy_changed");
        browser.shot("admin-audit");

        signOut();
    }

    private byte[] userEnrolsAndSignsInWithEveryFactor() throws Exception {
        // ---- password: the policy sends an unenrolled user to enrolment
        signIn(user, PASSWORD);
        browser.waitVisible("screen-enroll");
        assertThat(browser.text("enroll-title")).isEqualTo("Set up your authenticator app");
        assertThat(browser.text("enroll-account")).isEqualTo(ISSUER + " (" + user + ")");

        WebElement qr = browser.byId("enroll-qr");
        wait.until(d -> ((Number) browser.js("return arguments[0].naturalWidth", qr)).intValue() > 0);
        assertThat(((Number) browser.js("return arguments[0].naturalWidth", qr)).intValue()).isGreaterThanOrEqualTo(256);
        assertThat(qr.getSize().getWidth()).isGreaterThanOrEqualTo(256);
        assertThat(qr.getSize().getHeight()).isEqualTo(qr.getSize().getWidth());
        assertThat(browser.js("return getComputedStyle(arguments[0]).imageRendering", qr)).isEqualTo("pixelated");
        assertThat((String) qr.getAttribute("src")).startsWith("data:image/png;base64,");

        String grouped = browser.text("enroll-secret");
        assertThat(grouped).matches(GROUPED_SECRET);
        String secret = grouped.replace(" ", "");
        assertThat(secret).hasSize(32);
        // what a phone camera would read from the screen
        String scanned = scanQr(qr);
        assertThat(scanned).startsWith("otpauth://totp/").contains("secret=" + secret).contains("issuer=Flow%20Production%20Tracking");
        assertThat(browser.byId("enroll-code").getAttribute("autocomplete")).isEqualTo("one-time-code");
        assertThat(browser.byId("enroll-code").getAttribute("inputmode")).isEqualTo("numeric");
        browser.shot("enrollment");
        browser.elementShot("screen-enroll", "enrollment-card");

        // ---- Verify and Save
        byte[] key = Base32Secret.decode(secret);
        browser.type("enroll-code", Totp.code(key, Instant.now()));
        browser.clickButton("enroll-form", "Verify and Save");
        browser.waitVisible("screen-codes");
        List<String> codes = shownCodes();
        assertThat(codes).hasSize(10).allMatch(c -> BACKUP_CODE.matcher(c).matches());
        assertThat(browser.text("codes-title")).isEqualTo("Authenticator app saved");
        assertThat(browser.text("codes-sheet-title")).isEqualTo(ISSUER + " backup codes for " + user);
        browser.shot("backup-codes");
        printPreviewShowsOnlyTheCodes();
        assertSavedTextFile(codes);

        browser.click("codes-done");
        browser.waitText("me-login", user);
        assertThat(browser.text("me-factor")).isEqualTo("totp (authenticator app)");
        assertThat(browser.text("me-amr")).isEqualTo("pwd, otp, mfa");
        browser.waitText("me-codes-left", "10");
        assertThat(browser.text("me-enrolled")).startsWith("Set up on");
        assertThat(shownCodesOnPage()).isZero();
        browser.shot("signed-in-after-enrolment");
        signOut();

        // ---- password + TOTP: a wrong code first, then the code of the next step (this one was used at enrolment)
        signIn(user, PASSWORD);
        browser.waitVisible("screen-verify");
        wait.until(d -> "totp-code".equals(browser.active().getAttribute("id")));
        assertThat(browser.byId("totp-code").getAttribute("autocomplete")).isEqualTo("one-time-code");
        assertThat(browser.byId("totp-code").getAttribute("inputmode")).isEqualTo("numeric");
        assertThat(browser.text("screen-verify")).contains("Signing in as " + user);
        browser.active().sendKeys(wrongCode(key) + Keys.ENTER);
        browser.waitText("totp-error", "The code is incorrect.");
        browser.shot("second-factor-wrong-code");
        browser.active().sendKeys(nextStepCode(key) + Keys.ENTER);
        browser.waitText("me-login", user);
        assertThat(browser.text("me-factor")).isEqualTo("totp (authenticator app)");
        assertThat(browser.text("me-amr")).isEqualTo("pwd, otp, mfa");
        browser.shot("signed-in-with-totp");
        signOut();

        // ---- password + backup code (typed loosely: lower case, no dashes)
        signIn(user, PASSWORD);
        browser.waitVisible("screen-verify");
        browser.byId("use-backup").sendKeys(Keys.ENTER);
        wait.until(d -> "backup-code".equals(browser.active().getAttribute("id")));
        browser.shot("second-factor-backup-code");
        browser.active().sendKeys(codes.get(0).replace("-", "").toLowerCase() + Keys.ENTER);
        browser.waitText("me-login", user);
        assertThat(browser.text("me-factor")).isEqualTo("backup_code (backup code)");
        assertThat(browser.text("me-amr")).isEqualTo("pwd, otp, mfa");
        assertThat(browser.text("home-notice")).contains("9 backup codes are left");
        browser.waitText("me-codes-left", "9");
        browser.shot("signed-in-with-backup-code");
        return key;
    }

    private void userMakesNewCodesAndMovesToANewPhone(byte[] oldKey) throws Exception {
        // ---- Generate new codes (still signed in from the backup code)
        browser.type("regen-password", "not-the-password");
        browser.submit("regen-form");
        browser.waitText("regen-error", "The password is incorrect.");
        browser.type("regen-password", PASSWORD);
        browser.submit("regen-form");
        browser.waitVisible("screen-codes");
        assertThat(browser.text("codes-status")).contains("Your previous backup codes no longer work.");
        List<String> fresh = shownCodes();
        assertThat(fresh).hasSize(10).allMatch(c -> BACKUP_CODE.matcher(c).matches());
        browser.shot("new-backup-codes");
        assertSavedTextFile(fresh);
        browser.click("codes-done");
        browser.waitText("me-codes-left", "10");

        // ---- Move to a new phone
        browser.type("phone-password", PASSWORD);
        browser.submit("phone-form");
        browser.waitVisible("screen-enroll");
        assertThat(browser.text("enroll-title")).isEqualTo("Set up your new phone");
        String secret = browser.text("enroll-secret").replace(" ", "");
        byte[] newKey = Base32Secret.decode(secret);
        assertThat(newKey).isNotEqualTo(oldKey);
        browser.shot("new-phone");
        browser.type("enroll-code", Totp.code(newKey, Instant.now()));
        browser.clickButton("enroll-form", "Verify and Save");
        browser.waitVisible("screen-codes");
        assertThat(shownCodes()).hasSize(10);
        browser.click("codes-done");
        browser.waitText("me-enrolled", "Set up on");
        signOut();

        // ---- too many wrong codes: 429 and a countdown, the button off
        signIn(user, PASSWORD);
        browser.waitVisible("screen-verify");
        boolean throttled = false;
        for (int attempt = 1; attempt <= 7 && !throttled; attempt++) {
            browser.type("totp-code", wrongCode(newKey));
            browser.submit("totp-form");
            wait.until(d -> !browser.text("totp-error").isEmpty());
            throttled = browser.text("totp-error").startsWith("Too many failed attempts");
            if (!throttled) {
                assertThat(browser.text("totp-error")).isEqualTo("The code is incorrect.");
                assertThat(attempt).isLessThanOrEqualTo(5);
            }
        }
        assertThat(throttled).as("a 429 after five wrong codes").isTrue();
        String countdown = browser.byId("totp-error").findElement(By.className("countdown")).getText();
        assertThat(countdown).matches("0:[0-3]\\d");
        assertThat(browser.submitButton("totp-form").isEnabled()).isFalse();
        String later = browser.waitForChange("totp-error", browser.text("totp-error"));
        assertThat(later).startsWith("Too many failed attempts");
        browser.shot("second-factor-throttled");
        browser.click("verify-cancel");
        browser.waitVisible("screen-login");
    }

    private void adminHelpsTheUser() throws Exception {
        // a second admin (created over REST) signs in: the policy makes them enrol first
        signIn(secondAdmin, PASSWORD);
        browser.waitVisible("screen-enroll");
        byte[] key = Base32Secret.decode(browser.text("enroll-secret").replace(" ", ""));
        browser.type("enroll-code", Totp.code(key, Instant.now()));
        browser.clickButton("enroll-form", "Verify and Save");
        browser.waitVisible("screen-codes");
        browser.click("codes-done");
        browser.waitText("me-login", secondAdmin);

        browser.click("tab-users");
        assertThat(browser.byId("user-card").isDisplayed()).as("the first admin's user card was cleared at sign-out").isFalse();
        browser.type("find-login", user);
        browser.submit("find-user-form");
        browser.waitText("user-card-title", user);
        assertThat(browser.text("user-facts")).contains("Set up on");
        assertThat(factValue("Failed codes in a row")).isEqualTo("5");
        browser.shot("admin-user-throttled");

        // new backup codes, with a reason
        browser.type("issue-reason", "lost phone and codes (browser test)");
        browser.submit("issue-codes-form");
        browser.waitVisible("screen-codes");
        assertThat(browser.text("codes-title")).isEqualTo("New backup codes for " + user);
        assertThat(browser.text("codes-sheet-title")).isEqualTo(ISSUER + " backup codes for " + user);
        assertThat(shownCodes()).hasSize(10);
        browser.shot("admin-issued-backup-codes");
        browser.click("codes-done");
        browser.waitText("users-status", "Issued new backup codes to " + user + ".");

        // reset: the first press asks, the second does it
        browser.click("reset-button");
        browser.waitText("reset-button", "Yes, reset " + user + "'s second factor");
        browser.click("reset-button");
        browser.waitText("users-status", "Second factor of " + user + " reset");
        assertThat(factValue("Authenticator app")).isEqualTo("Not set up");
        assertThat(factValue("Backup codes left")).isEqualTo("0");
        assertThat(factValue("Codes blocked until")).isEqualTo("–");
        browser.shot("admin-user-reset");

        browser.click("tab-audit");
        browser.type("audit-login", user);
        browser.submit("audit-form");
        browser.waitText("audit-rows", "second_factor_reset");
        assertThat(browser.text("audit-rows")).contains("backup_codes_issued").contains("lost phone and codes (browser test)")
                .contains("second_factor_throttled").contains("backup_code_used").contains("enrolled");
        browser.shot("admin-audit-user");
        signOut();
    }

    // ------------------------------------------------------------------------------------------------ checks

    /** Under print media only the sheet of codes is shown. */
    private void printPreviewShowsOnlyTheCodes() throws IOException {
        ChromeDriver chrome = (ChromeDriver) driver;
        chrome.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("media", "print"));
        try {
            assertThat(browser.byId("codes-list").isDisplayed()).isTrue();
            assertThat(browser.byId("codes-sheet-title").isDisplayed()).isTrue();
            for (String hidden : List.of("codes-title", "codes-print", "codes-save", "codes-done", "codes-intro")) {
                assertThat(browser.byId(hidden).isDisplayed()).as(hidden + " printed").isFalse();
            }
            assertThat(driver.findElement(By.className("site-header")).isDisplayed()).isFalse();
            browser.shot("backup-codes-print");
        } finally {
            chrome.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("media", ""));
        }
    }

    /** "Save to text file" writes exactly the service's text form of the shown set. */
    private void assertSavedTextFile(List<String> codes) throws Exception {
        Path file = downloadDir.resolve("backup-codes.txt");
        Files.deleteIfExists(file);
        browser.click("codes-save");
        browser.waitText("codes-save-status", "backup-codes.txt");
        long deadline = System.currentTimeMillis() + 15_000;
        while (!Files.exists(file) && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertThat(file).as("downloaded backup-codes.txt").exists();
        String saved = Files.readString(file, StandardCharsets.UTF_8);
        Matcher generated = Pattern.compile("(?m)^Generated (\\S+)$").matcher(saved);
        assertThat(generated.find()).as("a Generated line in\n" + saved).isTrue();
        String expected = BackupCodesText.of(
                new BackupCodeService.IssuedSet(browser.text("codes-sheet-title").replace(ISSUER + " backup codes for ", ""), ISSUER,
                        codes, Instant.parse(generated.group(1))));
        assertThat(saved).isEqualTo(expected);
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
        browser.waitVisible("screen-login");
        browser.type("login-login", login);
        browser.type("login-password", password);
        browser.byId("login-password").sendKeys(Keys.ENTER);
    }

    private void signOut() {
        browser.click("sign-out");
        browser.waitVisible("screen-login");
        browser.waitText("login-notice", "You have signed out.");
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
        return browser.byId("user-facts").findElement(By.xpath("./dt[normalize-space()='" + name + "']/following-sibling::dd[1]"))
                .getText();
    }
}
