package lenet5.serve;

import com.fasterxml.jackson.databind.JsonNode;
import lenet5.image.Normalization;
import lenet5.image.Preprocess;
import lenet5.io.Idx;
import lenet5.testing.DigitImages;
import lenet5.testing.TestFiles;
import lenet5.testing.TorchModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.PointerInput;
import org.openqa.selenium.interactions.Sequence;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The draw-a-digit page in a real browser (Debian's chromium and chromium-driver, driven by
 * Selenium): an MNIST digit traced as strokes with mouse and touch pointer events, then the page's
 * class, probabilities and preview compared with what the API returns for the same drawing.
 * Keeps a screenshot in serve/target/browser/. Skips only where Chromium is not installed.
 */
class BrowserTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @Test
    void drawnDigitShowsWhatTheApiReturns(@TempDir Path profile) throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER), "no Chromium/chromedriver installed; skipping");
        Idx.Images digits = DigitImages.digits();
        int label = 7;
        int index = 0;
        while (DigitImages.labels()[index] != label) {
            index++;
        }
        try (ModelServer server = ModelServer.start(List.of(new ServedModel("lenet5_tanh", TorchModels.load("lenet5_tanh"),
                Preprocess.MNIST, Normalization.NONE)), ServeOptions.DEFAULTS.withPort(0))) {
            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM.toFile());
            // As root in a container: no sandbox; no GPU, network services or first-run work; a fresh profile.
            options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--user-data-dir=" + profile, "--window-size=860,760");
            ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                    .usingAnyFreePort().build();
            WebDriver driver = new ChromeDriver(service, options);
            try {
                driver.get(server.url());
                WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(30));
                wait.until(d -> "true".equals(body(d, "ready")));
                WebElement pad = driver.findElement(By.id("pad"));
                List<int[]> strokes = strokes(digits, index);
                // The top half with a mouse, the bottom half with a finger: the page handles both as pointer events.
                draw(driver, pad, new PointerInput(PointerInput.Kind.MOUSE, "mouse"), strokes.subList(0, strokes.size() / 2));
                draw(driver, pad, new PointerInput(PointerInput.Kind.TOUCH, "finger"), strokes.subList(strokes.size() / 2, strokes.size()));
                // One request per stroke (each ends with a pointerup); its PNG is made asynchronously, so wait for the
                // last stroke's request and its answer, not merely for whichever answer came back for the requests so far.
                String last = String.valueOf(strokes.size());
                wait.until(d -> last.equals(body(d, "sent")) && last.equals(body(d, "shown")));

                JavascriptExecutor js = (JavascriptExecutor) driver;
                String dataUrl = (String) js.executeScript("return document.getElementById('pad').toDataURL('image/png')");
                byte[] png = Base64.getDecoder().decode(dataUrl.substring(dataUrl.indexOf(',') + 1));
                JsonNode api = Http.to(server).post("v1/models/lenet5_tanh/predict?preview=true", png, "image/png").json();

                assertEquals(api.get("class").asText(), driver.findElement(By.id("digit")).getText());
                List<WebElement> bars = driver.findElements(By.cssSelector("#bars li"));
                assertEquals(10, bars.size());
                for (int c = 0; c < 10; c++) {
                    assertEquals(api.get("probabilities").get(c).floatValue(), Float.parseFloat(bars.get(c).getAttribute("data-probability")),
                            "probability of class " + c);
                }
                @SuppressWarnings("unchecked")
                List<Long> preview = (List<Long>) js.executeScript(
                        "var c = document.getElementById('preview'); var d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                                + "var r = []; for (var i = 0; i < d.length; i += 4) r.push(d[i]); return r;");
                for (int k = 0; k < 784; k++) {
                    assertEquals(api.get("preview").get(k).asLong(), preview.get(k), "preview pixel " + k);
                }
                System.out.println("browser: drew MNIST test digit " + index + " (label " + label + "), page and API say class "
                        + api.get("class") + " with probability " + api.get("probability"));
                assertEquals(label, api.get("class").asInt(), "the traced digit is recognized");

                Path shot = TestFiles.root().resolve("serve/target/browser/draw-a-digit.png");
                Files.createDirectories(shot.getParent());
                Files.write(shot, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
            } finally {
                driver.quit();
            }
        }
    }

    private static String body(WebDriver d, String key) {
        return (String) ((JavascriptExecutor) d).executeScript("return document.body.dataset['" + key + "'] || null");
    }

    /** One horizontal stroke per run of ink in each row of the 28x28 digit: {x0, x1, y} in digit pixels. */
    private static List<int[]> strokes(Idx.Images digits, int index) {
        List<int[]> strokes = new ArrayList<>();
        for (int y = 0; y < 28; y++) {
            int start = -1;
            for (int x = 0; x <= 28; x++) {
                boolean ink = x < 28 && (digits.pixels()[index * 784 + y * 28 + x] & 0xff) > 127;
                if (ink && start < 0) {
                    start = x;
                } else if (!ink && start >= 0) {
                    strokes.add(new int[] {start, x - 1, y});
                    start = -1;
                }
            }
        }
        return strokes;
    }

    /** Each stroke as pointer down, moves, up, with offsets from the canvas centre (10 canvas pixels per digit pixel). */
    private static void draw(WebDriver driver, WebElement pad, PointerInput pointer, List<int[]> strokes) {
        Sequence s = new Sequence(pointer, 0);
        PointerInput.Origin origin = PointerInput.Origin.fromElement(pad);
        for (int[] st : strokes) {
            int y = st[2] * 10 + 5 - 140;
            s.addAction(pointer.createPointerMove(Duration.ZERO, origin, st[0] * 10 + 5 - 140, y));
            s.addAction(pointer.createPointerDown(PointerInput.MouseButton.LEFT.asArg()));
            for (int x = st[0]; x <= st[1]; x++) {
                s.addAction(pointer.createPointerMove(Duration.ofMillis(5), origin, x * 10 + 5 - 140, y));
            }
            s.addAction(pointer.createPointerUp(PointerInput.MouseButton.LEFT.asArg()));
        }
        ((org.openqa.selenium.interactions.Interactive) driver).perform(List.of(s));
    }
}
