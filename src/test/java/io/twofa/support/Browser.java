package io.twofa.support;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The system's Chromium, headless, driven by the system's chromedriver (both paths given, so Selenium Manager never
 * runs and nothing is downloaded), with the helpers the browser tests share: elements by id, typing, clicking once a
 * control is enabled, waiting for text, numbered full-page screenshots in target/screenshots, and the console's errors.
 * A test without Chromium or chromedriver is skipped.
 */
public final class Browser implements AutoCloseable {

    public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    public static final Path SHOTS = Path.of("target", "screenshots");

    public final ChromeDriver driver;
    public final WebDriverWait wait;
    private final Path profileDir;
    private final String shotPrefix;
    private int shotNumber;

    private Browser(ChromeDriver driver, Path profileDir, String shotPrefix) {
        this.driver = driver;
        this.wait = new WebDriverWait(driver, Duration.ofSeconds(20));
        this.profileDir = profileDir;
        this.shotPrefix = shotPrefix;
    }

    /** Skips the calling test unless Chromium and chromedriver are installed. */
    public static void assumeInstalled() {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM), "no Chromium at " + CHROMIUM + ": browser test skipped");
        Assumptions.assumeTrue(Files.isExecutable(CHROMEDRIVER), "no chromedriver at " + CHROMEDRIVER + ": browser test skipped");
    }

    /**
     * A fresh browser profile (no password manager, 1280x900, English); downloads go to {@code downloadDir} without
     * asking when it is given. Screenshots are named {@code <shotPrefix><nn>-<name>.png}.
     */
    public static Browser start(String shotPrefix, Path downloadDir) throws IOException {
        assumeInstalled();
        Files.createDirectories(SHOTS);
        Path profileDir = Files.createTempDirectory("twofa-chromium-profile");
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toString());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync",
                "--user-data-dir=" + profileDir, "--window-size=1280,900", "--force-device-scale-factor=1",
                "--lang=en-US", "--password-store=basic");
        Map<String, Object> prefs = new HashMap<>();
        if (downloadDir != null) {
            prefs.put("download.default_directory", downloadDir.toString());
            prefs.put("download.prompt_for_download", false);
        }
        prefs.put("credentials_enable_service", false);
        prefs.put("profile.password_manager_enabled", false);
        options.setExperimentalOption("prefs", prefs);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        if (downloadDir != null) {
            driver.executeCdpCommand("Browser.setDownloadBehavior",
                    Map.of("behavior", "allow", "downloadPath", downloadDir.toString()));
        }
        return new Browser(driver, profileDir, shotPrefix);
    }

    @Override
    public void close() throws IOException {
        driver.quit();
        deleteTree(profileDir);
    }

    public static void deleteTree(Path dir) throws IOException {
        if (dir != null && Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    public WebElement byId(String id) {
        return driver.findElement(By.id(id));
    }

    public WebElement active() {
        return driver.switchTo().activeElement();
    }

    public String text(String id) {
        return byId(id).getText();
    }

    /** The text of an element, or what went wrong reading it (for failure messages). */
    public String safeText(String id) {
        try {
            return text(id);
        } catch (RuntimeException e) {
            return "(" + e.getClass().getSimpleName() + ")";
        }
    }

    public void type(String id, String value) {
        WebElement field = byId(id);
        field.clear();
        field.sendKeys(value);
    }

    public void click(String id) {
        wait.withMessage(() -> "#" + id + " not clickable").until(d -> byId(id).isDisplayed() && byId(id).isEnabled());
        byId(id).click();
    }

    public WebElement submitButton(String formId) {
        return byId(formId).findElement(By.cssSelector("button[type='submit']"));
    }

    /** Clicks the form's submit button once it is enabled. */
    public void submit(String formId) {
        wait.withMessage(() -> "the button of #" + formId + " stays disabled").until(d -> submitButton(formId).isEnabled());
        submitButton(formId).click();
    }

    public void clickButton(String formId, String label) {
        WebElement button = byId(formId).findElement(By.xpath(".//button[normalize-space()='" + label + "']"));
        wait.until(d -> button.isEnabled());
        button.click();
    }

    public void waitVisible(String id) {
        wait.withMessage(() -> id + " not shown").until(d -> byId(id).isDisplayed());
    }

    public void waitText(String id, String fragment) {
        wait.withMessage(() -> "'" + fragment + "' not in #" + id + ", which shows: " + safeText(id))
                .until(d -> byId(id).getText().contains(fragment));
    }

    public String waitForChange(String id, String before) {
        wait.until(d -> !byId(id).getText().equals(before));
        return text(id);
    }

    public Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** One element, whole: the window is made tall enough first. */
    public void elementShot(String id, String name) throws IOException {
        tallWindow("return document.documentElement.scrollHeight");
        Files.write(SHOTS.resolve(name + ".png"), byId(id).getScreenshotAs(OutputType.BYTES));
        driver.manage().window().setSize(new Dimension(1280, 900));
    }

    /** A full-page screenshot, numbered in the order taken. */
    public void shot(String name) throws IOException {
        tallWindow("return Math.max(document.documentElement.scrollHeight, document.body.scrollHeight)");
        byte[] png = driver.getScreenshotAs(OutputType.BYTES);
        Files.write(SHOTS.resolve(String.format("%s%02d-%s.png", shotPrefix, ++shotNumber, name)), png);
        driver.manage().window().setSize(new Dimension(1280, 900));
    }

    private void tallWindow(String heightScript) {
        long height = ((Number) js(heightScript)).longValue();
        driver.manage().window().setSize(new Dimension(1280, (int) Math.min(4000, Math.max(900, height + 120))));
        js("window.scrollTo(0, 0)");
    }

    /** The steps of a browser test. */
    @FunctionalInterface
    public interface Steps {
        void run() throws Exception;
    }

    /** Runs a test's steps; when they fail, a full-page screenshot named "failure" is taken before the failure is thrown. */
    public void shotOnFailure(Steps steps) throws Exception {
        try {
            steps.run();
        } catch (Throwable t) {
            try {
                shot("failure");
            } catch (RuntimeException | IOException e) {
                t.addSuppressed(e);
            }
            throw t;
        }
    }

    /** The console's SEVERE messages, except a 4xx answer of the API, which the page expects and handles. */
    public List<String> scriptErrors() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .filter(m -> !m.matches("(?s).*/api/v1/.* - Failed to load resource: the server responded with a status of 4\\d\\d.*"))
                .toList();
    }
}
