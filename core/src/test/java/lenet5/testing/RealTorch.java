package lenet5.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real PyTorch (Debian's python3-torch 1.13 under /usr/bin/python3) as a subprocess, on one thread.
 * Tests skip when it is missing; {@code .ci/run} installs it.
 */
public final class RealTorch {
    public static final String PYTHON = "/usr/bin/python3";
    public static final long TIMEOUT_SECONDS = 300;
    private static final java.util.Map<String, Boolean> IMPORTS = new java.util.HashMap<>();

    private RealTorch() {
    }

    public static void assumeAvailable() {
        assumeImports("torch");
    }

    /** For scripts that need only the standard library. */
    public static void assumePython() {
        assumeImports("pickle");
    }

    private static synchronized void assumeImports(String module) {
        Boolean ok = IMPORTS.get(module);
        if (ok == null) {
            try {
                ok = exec(List.of(PYTHON, "-c", "import " + module), 120).exit == 0;
            } catch (IOException e) {
                ok = false;
            }
            IMPORTS.put(module, ok);
        }
        Assumptions.assumeTrue(ok, PYTHON + " cannot import " + module + (module.equals("torch") ? " (install python3-torch)" : "") + "; skipping");
    }

    /** A script in the running module's src/test/python. */
    public static Path script(String name) {
        return Path.of(System.getProperty("basedir", "."), "src/test/python", name).toAbsolutePath();
    }

    /** Runs a committed script; returns its stdout lines, or fails with its output. */
    public static List<String> run(String script, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(PYTHON, script(script).toString()));
        cmd.addAll(args);
        Result r;
        try {
            r = exec(cmd, TIMEOUT_SECONDS);
        } catch (IOException e) {
            throw new AssertionError("cannot start " + PYTHON + ": " + e.getMessage(), e);
        }
        if (r.exit != 0) {
            throw new AssertionError(script + " failed (exit " + r.exit + "):\n" + r.err + "\n" + r.out);
        }
        return r.out.lines().toList();
    }

    /** The outputs of one job of run_state_dict.py, flattened row after row. */
    public static List<float[]> jobs(List<String> lines) {
        List<float[]> out = new ArrayList<>();
        List<Float> cur = null;
        for (String l : lines) {
            if (l.startsWith("== job")) {
                if (cur != null) {
                    out.add(toArray(cur));
                }
                cur = new ArrayList<>();
            } else if (cur != null && !l.isBlank()) {
                for (String v : l.trim().split(" ")) {
                    cur.add(Float.parseFloat(v));
                }
            }
        }
        if (cur != null) {
            out.add(toArray(cur));
        }
        return out;
    }

    private static float[] toArray(List<Float> l) {
        float[] f = new float[l.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = l.get(i);
        }
        return f;
    }

    private record Result(int exit, String out, String err) {
    }

    private static Result exec(List<String> cmd, long timeoutSeconds) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("OMP_NUM_THREADS", "1"); // the build machines have two cores, shared
        Process p = pb.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread t1 = pump(p.getInputStream(), out);
        Thread t2 = pump(p.getErrorStream(), err);
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out after " + timeoutSeconds + " s: " + cmd);
            }
            t1.join(10_000);
            t2.join(10_000);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: " + cmd, e);
        }
        return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Thread pump(InputStream in, ByteArrayOutputStream sink) {
        Thread t = new Thread(() -> {
            try (in) {
                in.transferTo(sink);
            } catch (IOException e) {
                // the process ended; what was read is kept
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }
}
