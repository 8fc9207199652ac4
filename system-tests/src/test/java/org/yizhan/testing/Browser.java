package org.yizhan.testing;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Debian's headless Chromium driven through the system chromedriver, with a fresh profile. Nothing is
 * downloaded: the driver and browser paths are given, so Selenium Manager is not asked. Tests skip (with a clear
 * message) only where {@code /usr/bin/chromium} is not installed.
 */
public final class Browser implements AutoCloseable {

    public static final String CHROMIUM = "/usr/bin/chromium";
    public static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    public static final Dimension PHONE = new Dimension(390, 844);
    public static final Dimension DESKTOP = new Dimension(1280, 800);
    public static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private final ChromeDriverService service;
    private final ChromeDriver driver;
    private final Path profile;

    private Browser(ChromeDriverService service, ChromeDriver driver, Path profile) {
        this.service = service;
        this.driver = driver;
        this.profile = profile;
    }

    /** Starts the browser, or skips the calling test class when Chromium is not installed. */
    public static Browser start() throws IOException {
        Assumptions.assumeTrue(Files.isExecutable(Path.of(CHROMIUM)),
                "Browser tests need Debian's chromium at " + CHROMIUM + " (apt-get install chromium chromium-driver)");
        Assumptions.assumeTrue(Files.isExecutable(Path.of(CHROMEDRIVER)),
                "Browser tests need Debian's chromedriver at " + CHROMEDRIVER + " (apt-get install chromium-driver)");
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER);
        System.setProperty("SE_AVOID_BROWSER_DOWNLOAD", "true");
        System.setProperty("webdriver.http.factory", "jdk-http-client");
        Path profile = Files.createTempDirectory("yizhan-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-extensions", "--disable-default-apps", "--lang=zh-CN", "--hide-scrollbars",
                "--user-data-dir=" + profile, "--window-size=" + DESKTOP.width + "," + DESKTOP.height);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort()
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20));
        return new Browser(service, driver, profile);
    }

    public WebDriver driver() {
        return driver;
    }

    public WebDriverWait waiting(int seconds) {
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(seconds), Duration.ofMillis(100));
        wait.ignoring(StaleElementReferenceException.class);
        return wait;
    }

    /**
     * Forgets the sign-in and the chosen language of the site at {@code origin} (such as {@code http://127.0.0.1:8080}):
     * clears its storage from its style sheet, a document of that origin that runs none of the site's scripts. Done
     * from a page of the app, a request the page still had in flight could meet the cleared token, get 401 and send
     * the tab to the sign-in page after the test had already gone on to the next page (seen in CI).
     */
    public void signOut(String origin) {
        driver.get(origin + "/style.css");
        ((org.openqa.selenium.JavascriptExecutor) driver).executeScript(
                "sessionStorage.clear(); localStorage.removeItem('yizhan.lang');");
    }

    /** Sets the window so the page's viewport is size (headless: window and viewport are the same). */
    public void resize(Dimension size) {
        driver.manage().window().setSize(size);
    }

    /** Writes the visible page to target/screenshots/name.png and returns the file. */
    public Path screenshot(String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        Path target = SCREENSHOTS.resolve(name + ".png");
        File shot = driver.getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
        return target;
    }

    @Override
    public void close() throws IOException {
        try {
            driver.quit();
        } finally {
            service.stop();
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
