package lenet5.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command models are built in code (Specs): what annotations gave for free must still hold. */
class UsageErrorsTest {
    @Test
    void missingPositionalParametersAreUsageErrors() {
        String[][] cases = {{"predict"}, {"inspect"}, {"convert", "a.pt"}, {"compare", "a.pt"}, {"serve"}};
        String[] missing = {"'MODEL'", "'MODEL'", "'OUT'", "'B'", "'MODEL'"};
        for (int i = 0; i < cases.length; i++) {
            Cli r = Cli.run(cases[i]);
            assertEquals(2, r.exit(), r.err());
            assertTrue(r.err().startsWith("error: Missing required parameter: " + missing[i]), r.err());
        }
    }

    @Test
    void inspectTakesOneOrTwoModels() {
        Cli r = Cli.run("inspect", "a.pt", "b.pt", "c.pt");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().startsWith("error: Unmatched argument at index 3: 'c.pt'"), r.err());
        assertTrue(Cli.run("inspect", "--help").out().contains(" MODEL [MODEL]"));
    }

    @Test
    void helpVersionAndDefaultsWithoutWarnings() {
        PrintStream stderr = System.err;
        ByteArrayOutputStream picocliWarnings = new ByteArrayOutputStream(); // picocli's tracer writes to System.err
        System.setErr(new PrintStream(picocliWarnings, true, StandardCharsets.UTF_8));
        try {
            for (String command : new String[] {"predict", "inspect", "convert", "compare", "serve"}) {
                Cli r = Cli.run(command, "--help");
                assertEquals(0, r.exit());
                assertEquals("", r.err());
                assertTrue(r.out().startsWith("Usage: lenet5 " + command + " [-hV] [--debug]"), r.out());
            }
        } finally {
            System.setErr(stderr);
        }
        assertEquals("", picocliWarnings.toString(StandardCharsets.UTF_8), "picocli warns when an initial value cannot be set");
        assertTrue(Cli.run("serve", "--help").out().contains("(default: 8080; 0 picks a free one)"));
        assertTrue(Cli.run("--version").out().startsWith("lenet5 "));
        Cli bad = Cli.run("predict", "m.pt", "--kernels", "fastest", "--input", "x.f32");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("--kernels"), bad.err());
    }
}
