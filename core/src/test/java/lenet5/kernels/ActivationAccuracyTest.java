package lenet5.kernels;

import lenet5.layers.Activation;
import lenet5.layers.Activation.Function;
import lenet5.model.Predictor;
import lenet5.model.Sequential;
import lenet5.tensor.Shape;
import lenet5.testing.TestFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import lenet5.io.RawFloats;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The activations beyond tanh/relu, run by the engine on 512 values over [-12, 12], against
 * PyTorch's float32 results and, for accuracy, PyTorch's float64 results (testdata/layers/torch,
 * generate_torch.py). Each must be at least as close to float64 as PyTorch's float32 is, and
 * within a float32 ulp or two of PyTorch's float32 (tolerance 1e-6 on values up to 20).
 */
class ActivationAccuracyTest {
    static final double TOL = 1e-6;
    static final Map<String, Activation> CASES = Map.ofEntries(
            Map.entry("leaky_relu", new Activation("a", Function.LEAKY_RELU, 0.1, 0)),
            Map.entry("elu", new Activation("a", Function.ELU, 0.7, 0)),
            Map.entry("hardtanh", new Activation("a", Function.HARDTANH, -0.5, 1.5)),
            Map.entry("relu6", new Activation("a", Function.HARDTANH, 0, 6)),
            Map.entry("silu", new Activation("a", Function.SILU)),
            Map.entry("gelu", new Activation("a", Function.GELU)),
            Map.entry("gelu_tanh", new Activation("a", Function.GELU_TANH)),
            Map.entry("softplus", new Activation("a", Function.SOFTPLUS)),
            Map.entry("softplus_b2_t5", new Activation("a", Function.SOFTPLUS, 2, 5)),
            Map.entry("softsign", new Activation("a", Function.SOFTSIGN)),
            Map.entry("hardsigmoid", new Activation("a", Function.HARD_SIGMOID)),
            Map.entry("log_softmax", new Activation("a", Function.LOG_SOFTMAX)));

    static Path dir() {
        return TestFiles.testdata().resolve("layers/torch");
    }

    @TestFactory
    Stream<DynamicTest> asCloseToFloat64AsPyTorch() {
        float[] x = RawFloats.read(dir().resolve("elementwise_x.f32"));
        return CASES.entrySet().stream().sorted(Map.Entry.comparingByKey()).map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
            float[] torch32 = RawFloats.read(dir().resolve("elementwise_" + e.getKey() + ".f32"));
            double[] torch64 = f64(dir().resolve("elementwise_" + e.getKey() + ".f64"));
            // Rows of 8 features: log-softmax runs over each row, the others act on every value.
            Sequential m = new Sequential(Shape.flat(8), List.of(e.getValue()), null);
            for (boolean batched : new boolean[] {false, true}) {
                float[] ours;
                try (Predictor p = m.newPredictor(m.nativeLayout())) {
                    ours = batched ? p.batchPredict(x) : rowByRow(p, x);
                }
                TestFiles.assertClose(torch32, ours, x.length / 8, TOL, e.getKey() + (batched ? " batched" : "") + " vs PyTorch float32");
                double oursErr = maxAbs(ours, torch64), torchErr = maxAbs(torch32, torch64);
                System.out.printf("%s: max abs vs float64: ours %.3g, PyTorch float32 %.3g%n", e.getKey(), oursErr, torchErr);
                assertTrue(oursErr <= torchErr, e.getKey() + ": ours " + oursErr + " vs float64, PyTorch float32 " + torchErr);
            }
        }));
    }

    /** erf itself against values from Python's math.erf (libm), to 1e-15. */
    @Test
    void erf() {
        double[][] ref = {{0.1, 0.1124629160182849}, {0.5, 0.5204998778130465}, {1, 0.8427007929497149},
                {2, 0.9953222650189527}, {2.5, 0.999593047982555}, {3, 0.9999779095030014}, {4, 0.9999999845827421},
                {-1.7, -0.9837904585907745}, {6, 1.0}, {1e-10, 1.1283791670955126e-10}};
        for (double[] r : ref) {
            assertEquals(r[1], ActivationMath.erf(r[0]), 1e-15, "erf(" + r[0] + ")");
        }
        assertTrue(Double.isNaN(ActivationMath.erf(Double.NaN)));
        assertEquals(1.0, ActivationMath.erf(Double.POSITIVE_INFINITY));
        assertEquals(-1.0, ActivationMath.erf(Double.NEGATIVE_INFINITY));
    }

    private static float[] rowByRow(Predictor p, float[] x) {
        float[] out = new float[x.length];
        for (int r = 0; r < x.length / 8; r++) {
            float[] row = new float[8];
            System.arraycopy(x, r * 8, row, 0, 8);
            System.arraycopy(p.predict(row), 0, out, r * 8, 8);
        }
        return out;
    }

    private static double maxAbs(float[] a, double[] ref) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - ref[i]));
        }
        return m;
    }

    private static double[] f64(Path p) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
        double[] d = new double[b.remaining() / 8];
        b.asDoubleBuffer().get(d);
        return d;
    }
}
