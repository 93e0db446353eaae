package lenet5.testing;

import lenet5.compare.Diff;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where the reference files are, shared by every module's tests (published as core's test-jar).
 * The repository root comes from the {@code lenet5.root} system property that the parent POM
 * sets, so tests work from any module directory.
 */
public final class TestFiles {
    private TestFiles() {
    }

    public static Path root() {
        String p = System.getProperty("lenet5.root");
        Path start = p != null ? Path.of(p) : Path.of("").toAbsolutePath();
        for (Path d = start.toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("testdata")) && Files.isRegularFile(d.resolve("pom.xml"))) {
                return d;
            }
        }
        return start;
    }

    /** {@code testdata/} of this repository (files made by real PyTorch). */
    public static Path testdata() {
        return root().resolve("testdata");
    }

    /** {@code ../shared/fixtures} (files made by real Keras); skips the calling test when absent. */
    public static Path sharedFixtures() {
        return shared("fixtures");
    }

    /** {@code ../shared/<dir>} (e.g. {@code wild}: real published model files); skips the calling test when absent. */
    public static Path shared(String dir) {
        Path p = root().resolve("../shared").resolve(dir).normalize();
        Assumptions.assumeTrue(Files.isDirectory(p), "../shared/" + dir + " is absent; skipping");
        return p;
    }

    /** Asserts {@code actual} is within {@code tolerance} (absolute) of the framework's {@code expected}, and reports the figures. */
    public static Diff assertClose(float[] expected, float[] actual, int rows, double tolerance, String what) {
        Diff d = Diff.of(expected, actual, rows);
        System.out.println(what + ": " + d);
        assertTrue(d.within(tolerance), what + ": " + d + " exceeds tolerance " + tolerance
                + " at index " + d.worstIndex() + " (expected " + expected[d.worstIndex()] + ", got " + actual[d.worstIndex()] + ")");
        return d;
    }
}
