package lenet5.safety;

import lenet5.cli.Main;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The lenet5 command run in-process, with what it printed (for every test of this module that runs the CLI). */
public record CliRun(int exit, String out, String err) {
    /**
     * Runs on a worker thread: an OutOfMemoryError or StackOverflowError escaping the command
     * becomes exit code -1 with the error on stderr (on the test thread JUnit would rethrow it
     * and end the whole run).
     */
    public static CliRun of(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int[] code = {-1};
        Outcome o;
        try (Guard g = new Guard(60_000)) {
            o = g.run(() -> code[0] = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true)));
        }
        if (!o.keepsPromise()) {
            err.write("escaped the command: " + o + "\n" + o.stackTrace());
        }
        CliRun r = new CliRun(code[0], out.toString(), err.toString());
        System.out.println("$ lenet5 " + String.join(" ", args) + "\n" + r.out + r.err + "(exit " + r.exit + ")");
        return r;
    }

    /**
     * The CLI's error contract: exit 2, exactly one line on stderr, {@code error: <file>: <problem>},
     * no stack trace, no "internal error". Returns the problem text.
     */
    public String assertOneLineError(String file) {
        assertEquals(2, exit, "exit code; stderr: " + err);
        assertEquals(1, err.strip().lines().count(), "exactly one line on stderr:\n" + err);
        assertFalse(err.contains("\tat "), "no stack trace without --debug:\n" + err);
        assertFalse(err.contains("internal error"), "an input problem reported as an internal error:\n" + err);
        String prefix = "error: " + file + ": ";
        assertTrue(err.startsWith(prefix), "expected '" + prefix + "...', got: " + err);
        return err.strip().substring(prefix.length());
    }

    public void assertStackTrace() {
        assertEquals(2, exit, err);
        assertTrue(err.startsWith("error: "), err);
        assertTrue(err.contains("\tat "), "--debug prints the stack trace:\n" + err);
    }
}
