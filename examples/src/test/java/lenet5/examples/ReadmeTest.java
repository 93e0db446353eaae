package lenet5.examples;

import lenet5.testing.TestFiles;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The README's Java is compiled, tested source: every ```java block in README.md must be one of the
 * examples here (compiled by this module, run by {@link ExamplesTest}) or of the Spark module's
 * (Spark is not on this module's class path: spark/ compiles and runs them, ScoreDigitsTest),
 * verbatim but for its package line. The Maven coordinates it shows must be this build's.
 */
class ReadmeTest {
    static final List<Path> SOURCES = List.of(TestFiles.root().resolve("examples/src/main/java/lenet5/examples"),
            TestFiles.root().resolve("spark/src/test/java/lenet5/spark/examples"));

    @Test
    void everyJavaBlockIsAnExample() throws IOException {
        Map<String, String> examples = new TreeMap<>();
        for (Path dir : SOURCES) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    examples.put(f.getFileName().toString(), Files.readString(f).replaceFirst("^package [\\w.]+;\n\n", ""));
                }
            }
        }
        List<String> blocks = blocks("java");
        assertFalse(blocks.isEmpty(), "README.md has no ```java block");
        assertTrue(blocks.get(0).contains("class ClassifyDigit"), "the README's Java starts with ClassifyDigit");
        for (String block : blocks) {
            if (!examples.containsValue(block)) {
                fail("this ```java block of README.md is not one of " + examples.keySet() + " in " + SOURCES
                        + " (copy the example into README.md, without its package line):\n" + block);
            }
        }
    }

    @Test
    void coordinatesAreThisBuilds() throws IOException {
        List<String> xml = blocks("xml");
        assertFalse(xml.isEmpty(), "README.md shows no Maven coordinates");
        Matcher m = Pattern.compile("<groupId>(.*)</groupId>\\s*<artifactId>(.*)</artifactId>\\s*<version>(.*)</version>")
                .matcher(String.join("\n", xml));
        int n = 0;
        while (m.find()) {
            assertEquals("dev.lenet5", m.group(1));
            assertTrue(m.group(2).startsWith("lenet5-"), m.group(2));
            assertEquals(System.getProperty("lenet5.version"), m.group(3), "version of " + m.group(2));
            n++;
        }
        assertTrue(n > 0, "no <groupId>/<artifactId>/<version> in README.md's xml blocks");
    }

    /** The contents of the README's ```lang blocks, each ending in a newline. */
    static List<String> blocks(String lang) throws IOException {
        String readme = Files.readString(TestFiles.root().resolve("README.md"));
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^```" + lang + "\n(.*?)^```$", Pattern.DOTALL).matcher(readme);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
