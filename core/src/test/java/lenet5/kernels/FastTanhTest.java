package lenet5.kernels;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rational tanh against {@code Math.tanh}, in both kernel sets (PyTorch's own numbers are in TorchEquivalenceTest). */
class FastTanhTest {
    static final double TOL = 5e-7;

    @Test
    void withinFiveTenthsOfAMillionth() {
        int n = 2_000_001;
        float[] x = new float[n + 3];
        for (int i = 0; i < n; i++) {
            x[i] = -10f + 20f * i / (n - 1);
        }
        x[n] = Float.NaN;
        x[n + 1] = Float.POSITIVE_INFINITY;
        x[n + 2] = Float.NEGATIVE_INFINITY;
        List<Kernels> sets = new ArrayList<>(List.of(Kernels.scalar()));
        Kernels.vector().ifPresent(sets::add);
        for (Kernels k : sets) {
            float[] y = x.clone();
            k.tanh(y, 0, y.length);
            double worst = 0;
            for (int i = 0; i < n; i++) {
                worst = Math.max(worst, Math.abs(y[i] - Math.tanh(x[i])));
                assertTrue(Math.abs(y[i]) <= 1f, k.name() + " tanh(" + x[i] + ") = " + y[i]);
            }
            System.out.println(k.name() + " fast tanh: max abs error " + worst + " on [-10, 10]");
            assertTrue(worst <= TOL, k.name() + ": " + worst);
            assertTrue(Float.isNaN(y[n]), k.name() + " NaN");
            assertEquals(1f, y[n + 1], 1e-6f, k.name() + " +inf");
            assertEquals(-1f, y[n + 2], 1e-6f, k.name() + " -inf");
        }
    }
}
