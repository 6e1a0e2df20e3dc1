package dev.parley.support;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Chromium from the system (Debian's chromium and chromium-driver), both named
 * explicitly so that Selenium Manager never looks for, let alone downloads, a browser or driver.
 */
public final class Browser implements AutoCloseable {

    public static final Dimension DESKTOP = new Dimension(1280, 860);
    public static final Dimension PHONE = new Dimension(360, 740);
    /** Generous: the build machines are shared and slow; waits end as soon as the page is ready. */
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

    public final ChromeDriver driver;
    /** Where this browser saves downloads, without asking: a fresh directory under target/console-downloads. */
    public final Path downloads;

    private Browser(ChromeDriver driver, Path downloads) {
        this.driver = driver;
        this.downloads = downloads;
    }

    public static Browser start() {
        String chromium = System.getProperty("parley.chromium", "/usr/bin/chromium");
        String chromedriver = System.getProperty("parley.chromedriver", "/usr/bin/chromedriver");
        if (!new File(chromium).canExecute() || !new File(chromedriver).canExecute()) {
            throw new IllegalStateException("Chromium or its driver is missing (" + chromium + ", " + chromedriver
                    + "); run .ci/ensure-chromium or: apt-get install chromium chromium-driver");
        }
        System.setProperty("webdriver.chrome.driver", chromedriver);
        Path downloads;
        try {
            Path parent = Files.createDirectories(Path.of("target", "console-downloads"));
            downloads = Files.createTempDirectory(parent, "chromium-").toAbsolutePath();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot make a download directory under target/", e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium);
        options.setExperimentalOption("prefs", Map.of(
                "download.default_directory", downloads.toString(),
                "download.prompt_for_download", false));
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-default-apps", "--lang=en-US", "--force-color-profile=srgb", "--hide-scrollbars");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(chromedriver))
                .usingAnyFreePort()
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().window().setSize(DESKTOP);
        return new Browser(driver, downloads);
    }

    public <T> T await(Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, PATIENCE).until(condition);
    }

    public WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    public List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    public WebElement visible(String css) {
        return await(d -> {
            List<WebElement> found = d.findElements(By.cssSelector(css));
            return found.stream().filter(WebElement::isDisplayed).findFirst().orElse(null);
        });
    }

    /**
     * The downloaded file of that name, once Chromium has finished writing it (it writes to a
     * .crdownload file and renames that at the end).
     */
    public Path download(String name) {
        Path file = downloads.resolve(name);
        return await(d -> Files.isRegularFile(file) ? file : null);
    }

    public Object js(String script, Object... args) {
        return driver.executeScript(script, args);
    }

    public void size(Dimension size) {
        driver.manage().window().setSize(size);
    }

    /** A PNG of the viewport, kept under target/console-screenshots for a reviewer. */
    public Path screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Path target = SCREENSHOTS.resolve(name + ".png");
            Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), target, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new IllegalStateException("Cannot keep the screenshot " + name, e);
        }
    }

    @Override
    public void close() {
        driver.quit();
    }
}
