package lenet5.safety;

import lenet5.layout.Layout;
import lenet5.Lenet5;
import lenet5.LoadOptions;
import lenet5.model.Predictor;
import lenet5.model.Sequential;
import lenet5.testing.TestFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The promise covers the whole public API, not only files: whatever a caller passes to
 * {@link Predictor}, {@link Sequential} and {@link Lenet5}, the answer is a result or a lenet5
 * exception (here InvalidInputException), never a raw ArrayIndexOutOfBounds, NegativeArraySize
 * or arithmetic overflow from inside the engine.
 */
@Tag("safety")
class PublicApiInputsTest {
    static final Report REPORT = new Report("Public API inputs");
    static Sequential model;

    @BeforeAll
    static void load() {
        model = Lenet5.load(TestFiles.testdata().resolve("torch/lenet5_tanh.pt"));
    }

    @AfterAll
    static void print() {
        REPORT.print("api-inputs-report.txt");
    }

    @Test
    void predictorRefusesArraysThatDoNotFit() {
        try (Predictor p = model.newPredictor(Layout.NCHW)) {
            int in = p.inputSize();
            refused("predict(float[783])", () -> p.predict(new float[in - 1]));
            refused("predict(float[0])", () -> p.predict(new float[0]));
            refused("batchPredict(float[785])", () -> p.batchPredict(new float[in + 1]));
            refused("batchPredict(float[][]{float[10]})", () -> p.batchPredict(new float[][] {new float[10]}));
            float[] buf = new float[in * 2], out = new float[20];
            refused("predict(in, 0, -1, out, 0)", () -> {
                p.predict(buf, 0, -1, out, 0);
                return null;
            });
            refused("predict(in, 0, 3, out, 0) with room for 2", () -> {
                p.predict(buf, 0, 3, out, 0);
                return null;
            });
            refused("predict(in, -1, 1, out, 0)", () -> {
                p.predict(buf, -1, 1, out, 0);
                return null;
            });
            refused("predict(in, MAX_VALUE, 1, out, 0)", () -> {
                p.predict(buf, Integer.MAX_VALUE, 1, out, 0);
                return null;
            });
            refused("predict(in, 0, MAX_VALUE, out, 0)", () -> {
                p.predict(buf, 0, Integer.MAX_VALUE, out, 0);
                return null;
            });
            refused("predict(in, 0, 1, out, MAX_VALUE)", () -> {
                p.predict(buf, 0, 1, out, Integer.MAX_VALUE);
                return null;
            });
            refused("predict(in, 0, 1, out, 15) (10 outputs from 15 of 20)", () -> {
                p.predict(buf, 0, 1, out, 15);
                return null;
            });
            refused("activations(float[784], 2)", () -> p.activations(new float[in], 2));
            refused("activations(float[784], -1)", () -> p.activations(new float[in], -1));
        }
    }

    @Test
    void emptyAndNonFiniteInputsPredict() {
        try (Predictor p = model.newPredictor(Layout.NCHW)) {
            Outcome o = run("batchPredict(float[0]) (zero images)", () -> p.batchPredict(new float[0]));
            assertEquals(Outcome.Verdict.LOADED, o.verdict(), o.toString());
            float[] nan = new float[p.inputSize()];
            Arrays.fill(nan, Float.NaN);
            float[] out = p.predict(nan);
            REPORT.note("predict(all NaN)", Arrays.toString(out) + ", argmax " + Predictor.argmax(out, 0, out.length));
            for (float v : out) {
                assertTrue(Float.isNaN(v), "NaN in, NaN out: " + Arrays.toString(out));
            }
            float[] inf = new float[p.inputSize()];
            Arrays.fill(inf, Float.POSITIVE_INFINITY);
            out = p.predict(inf);
            REPORT.note("predict(all +Inf)", Arrays.toString(out));
            float[] huge = new float[p.inputSize()];
            Arrays.fill(huge, Float.MAX_VALUE);
            out = p.predict(huge);
            REPORT.note("predict(all Float.MAX_VALUE)", Arrays.toString(out));
        }
    }

    /** Null arguments: a clear exception, whatever its type, and never one from deep inside (recorded). */
    @Test
    void nullArguments() {
        try (Predictor p = model.newPredictor(Layout.NCHW)) {
            record("Lenet5.load(null)", () -> Lenet5.load((Path) null));
            record("Lenet5.load(path, null options)", () -> Lenet5.load(TestFiles.testdata().resolve("torch/lenet5_tanh.pt"), null));
            record("Lenet5.save(model, null)", () -> {
                Lenet5.save(model, null);
                return null;
            });
            record("Lenet5.save(null, path)", () -> {
                Lenet5.save(null, Path.of("target/null.pt"));
                return null;
            });
            record("predict(null)", () -> p.predict((float[]) null));
            record("batchPredict(float[][] with a null row)", () -> p.batchPredict(new float[][] {null}));
            record("Lenet5.load(path, LoadOptions(format \"nonsense\"))", () -> Lenet5.load(TestFiles.testdata().resolve("torch/lenet5_tanh.pt"),
                    LoadOptions.DEFAULTS.withFormat("nonsense")));
        }
    }

    private static void refused(String what, Callable<?> call) {
        Outcome o = run(what, call);
        assertEquals(Outcome.Verdict.REFUSED, o.verdict(), what + ": " + o + (o.error() == null ? "" : "\n" + o.stackTrace()));
    }

    private static void record(String what, Callable<?> call) {
        Outcome o = run(what, call);
        assertTrue(o.verdict() != Outcome.Verdict.TIMED_OUT && !(o.error() instanceof Error), what + ": " + o);
    }

    private static Outcome run(String what, Callable<?> call) {
        Outcome o;
        try (Guard g = new Guard(10_000)) {
            o = g.run(call);
        }
        REPORT.add(what, o);
        return o;
    }
}
