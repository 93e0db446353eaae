package lenet5.cli;

import lenet5.testing.TestFiles;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code lenet5 serve} as a real process: models by file stem and NAME=FILE, and SIGTERM stops it. */
class ServeCommandTest {
    @Test
    void servesModelsByNameAndStopsOnSigterm() throws Exception {
        Path torch = TestFiles.testdata().resolve("torch");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), "lenet5.cli.Main", "serve", "--port", "0",
                torch.resolve("lenet5_tanh.pt").toString(), "digits=" + torch.resolve("lenet5_relu.pt"))
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String url = null;
            StringBuilder log = new StringBuilder();
            for (String line; url == null && (line = out.readLine()) != null; ) {
                log.append(line).append('\n');
                Matcher m = Pattern.compile("serving 2 model\\(s\\) at (http://127\\.0\\.0\\.1:\\d+/)").matcher(line);
                if (m.find()) {
                    url = m.group(1);
                }
            }
            assertNotNull(url, log.toString());
            assertTrue(log.toString().contains("model lenet5_tanh: pytorch zip"), log.toString());
            assertTrue(Pattern.compile("model digits: .*, warmed up on [1-9]\\d* blank images in").matcher(log).find(), log.toString());
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> models = client.send(HttpRequest.newBuilder(URI.create(url + "v1/models")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("{\"models\":[\"lenet5_tanh\",\"digits\"]}", models.body());
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the server stops on SIGTERM");
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void badModelNamesAndFilesAreOneLineErrors() {
        Cli r = Cli.run("serve", "--port", "0", "bad name=" + TestFiles.testdata().resolve("torch/lenet5_tanh.pt"));
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("model name 'bad name' must be"), r.err());
        Cli warm = Cli.run("serve", "--port", "0", "--warm-up", "-1", TestFiles.testdata().resolve("torch/lenet5_tanh.pt").toString());
        assertEquals(2, warm.exit());
        assertTrue(warm.err().startsWith("error: --warm-up must be 0 to 600 seconds, got -1.0"), warm.err());
        Cli missing = Cli.run("serve", "--port", "0", "nope.pt");
        assertEquals(2, missing.exit());
        assertTrue(missing.err().startsWith("error: nope.pt: no such file"), missing.err());
    }
}
