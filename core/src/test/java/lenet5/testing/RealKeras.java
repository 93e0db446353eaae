package lenet5.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real Keras 3.11.3 ({@code ../shared/tools/keras3}, torch backend, Debian's /usr/bin/python3) as a
 * subprocess; tests skip where it or torch is absent.
 */
public final class RealKeras {
    static final String PYTHON = "/usr/bin/python3";
    /** The runner script: jobs MODEL,INPUTS,N:D1:...,OUTPUTS (see the script). */
    static final String SCRIPT = "backend-keras/src/test/python/run_keras.py";
    private static Boolean available;

    private RealKeras() {
    }

    static Path site() {
        return TestFiles.root().resolve("../shared/tools/keras3/site").normalize();
    }

    public static synchronized void assumeAvailable() {
        if (available == null) {
            available = Files.isDirectory(site()) && exec(List.of(PYTHON, "-c", "import keras"), 300).exit == 0;
        }
        Assumptions.assumeTrue(available, "real Keras 3.11.3 (../shared/tools/keras3 with python3-torch, python3-h5py, "
                + "python3-absl, python3-rich, python3-packaging) is not available; .ci/run installs the packages");
    }

    /**
     * One job: Keras loads {@code model} (.h5 or .keras), predicts the raw float32 {@code inputs}
     * of {@code shape} (Keras's, e.g. 8,28,28,1; or null: as many images of the model's input
     * shape as the file holds) into {@code outputs}.
     */
    public static String job(Path model, Path inputs, int[] shape, Path outputs) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; shape != null && i < shape.length; i++) {
            s.append(i == 0 ? "" : ":").append(shape[i]);
        }
        return model + "," + inputs + "," + s + "," + outputs;
    }

    /** Runs the jobs in one Keras process (importing Keras takes seconds); fails with Keras's output if any job fails. */
    public static String run(List<String> jobs) {
        List<String> cmd = new ArrayList<>(List.of(PYTHON, TestFiles.root().resolve(SCRIPT).toString()));
        cmd.addAll(jobs);
        Result r = exec(cmd, 600);
        if (r.exit != 0) {
            throw new AssertionError("real Keras failed (exit " + r.exit + "):\n" + r.out);
        }
        return r.out;
    }

    /** One file: Keras predicts the images in {@code inputs} (the model's input layout) into {@code outputs}. */
    public static String predict(Path model, Path inputs, Path outputs) {
        return run(List.of(job(model, inputs, null, outputs)));
    }

    private record Result(int exit, String out) {
    }

    private static Result exec(List<String> cmd, long timeoutSeconds) {
        try {
            File log = File.createTempFile("lenet5-keras", ".log");
            try {
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log);
                pb.environment().put("PYTHONPATH", site().toString());
                pb.environment().put("KERAS_BACKEND", "torch");
                pb.environment().put("OMP_NUM_THREADS", "1");
                Process p = pb.start();
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError("timed out after " + timeoutSeconds + " s: " + cmd);
                }
                return new Result(p.exitValue(), Files.readString(log.toPath(), StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(log.toPath());
            }
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: " + cmd, e);
        }
    }
}
