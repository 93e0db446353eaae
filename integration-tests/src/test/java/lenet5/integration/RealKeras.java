package lenet5.integration;

import lenet5.testing.RealTorch;
import lenet5.testing.TestFiles;
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
 * Real Keras 3.11.3 ({@code ../shared/tools/keras3}, torch backend, Debian's python3) as a
 * subprocess; tests skip where ../shared or the Python packages it needs are absent.
 */
final class RealKeras {
    private static Boolean available;

    private RealKeras() {
    }

    static synchronized void assumeAvailable() {
        if (available == null) {
            available = Files.isDirectory(site()) && exec(List.of(RealTorch.PYTHON, "-c", "import keras")).exit() == 0;
        }
        Assumptions.assumeTrue(available, "real Keras 3.11.3 (../shared/tools/keras3 with python3-torch, python3-h5py, "
                + "python3-absl, python3-rich, python3-packaging) is not available; .ci/run installs the packages");
    }

    /** A model file, its raw float32 inputs (in the model's input layout) and where Keras's outputs go. */
    record Job(Path model, Path inputs, Path outputs) {
    }

    /** Real Keras loads {@code model} (.h5 or .keras), predicts the raw float32 {@code inputs} and writes {@code outputs}. */
    static String predict(Path model, Path inputs, Path outputs) {
        return predict(List.of(new Job(model, inputs, outputs)));
    }

    /** Runs several jobs in one Keras process (importing Keras takes seconds); fails with Keras's output if one fails. */
    static String predict(List<Job> jobs) {
        List<String> cmd = new ArrayList<>(List.of(RealTorch.PYTHON, RealTorch.script("run_keras.py").toString()));
        jobs.forEach(j -> cmd.addAll(List.of(j.model().toString(), j.inputs().toString(), j.outputs().toString())));
        Result r = exec(cmd);
        if (r.exit() != 0) {
            throw new AssertionError("real Keras failed (exit " + r.exit() + "):\n" + r.out());
        }
        return r.out();
    }

    private static Path site() {
        return TestFiles.root().resolve("../shared/tools/keras3/site").normalize();
    }

    private record Result(int exit, String out) {
    }

    private static Result exec(List<String> cmd) {
        try {
            File log = File.createTempFile("lenet5-keras", ".log");
            try {
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log);
                pb.environment().put("PYTHONPATH", site().toString());
                pb.environment().put("KERAS_BACKEND", "torch");
                pb.environment().put("OMP_NUM_THREADS", "1");
                Process p = pb.start();
                if (!p.waitFor(RealTorch.TIMEOUT_SECONDS * 2, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError("timed out: " + cmd);
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
