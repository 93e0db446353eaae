package lenet5.integration;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Real PyTorch (Debian's python3-torch under /usr/bin/python3) as a subprocess; tests skip without it. */
final class PyTorch {
    private static final String PYTHON = "/usr/bin/python3";
    private static Boolean available;

    private PyTorch() {
    }

    static synchronized void assumeAvailable() {
        if (available == null) {
            try {
                available = exec(List.of(PYTHON, "-c", "import torch")).exit == 0;
            } catch (IOException | InterruptedException e) {
                available = false;
            }
        }
        Assumptions.assumeTrue(available, "real PyTorch (/usr/bin/python3 with python3-torch) is not installed; .ci/run installs it");
    }

    record Result(int exit, String output) {
    }

    /** Runs a script from src/test/python with arguments; fails the test on a non-zero exit. */
    static String run(String script, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(PYTHON, Path.of("src/test/python", script).toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        Result r = exec(cmd);
        if (r.exit != 0) {
            throw new AssertionError("PyTorch failed (exit " + r.exit + "):\n" + r.output);
        }
        return r.output;
    }

    private static Result exec(List<String> cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("OMP_NUM_THREADS", "1");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("PyTorch did not finish in 120 s: " + cmd);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
