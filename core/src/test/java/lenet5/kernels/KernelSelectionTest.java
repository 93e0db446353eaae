package lenet5.kernels;

import lenet5.layout.Layout;
import lenet5.model.KernelChoice;
import lenet5.model.Predictor;
import lenet5.testing.TorchModels;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine picks the Vector API kernels exactly when the JVM has the module and they are not
 * switched off. Surefire runs this class twice: with {@code --add-modules jdk.incubator.vector}
 * and without (see core/pom.xml), so both answers are checked.
 */
class KernelSelectionTest {
    @Test
    void vectorKernelsOnlyWithTheModule() {
        boolean module = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        boolean forcedScalar = Boolean.getBoolean("lenet5.scalar");
        assertEquals(module, Kernels.vector().isPresent());
        String expected = module && !forcedScalar ? "vector-" : "scalar";
        assertTrue(Kernels.best().name().startsWith(expected), Kernels.best().name());
        try (Predictor p = TorchModels.load("lenet5_tanh").newPredictor(Layout.NCHW)) {
            assertTrue(p.kernels().startsWith(expected), p.kernels());
            assertEquals(10, p.predict(new float[784]).length);
        }
    }

    @Test
    void scalarChoiceIsPlainJavaEverywhereAndGivesPyTorchsNumbers() {
        var model = TorchModels.load("lenet5_tanh");
        float[] x = lenet5.io.RawFloats.read(lenet5.testing.TestFiles.testdata().resolve("torch/inputs_16x1x28x28.f32"));
        float[] expected = lenet5.io.RawFloats.read(lenet5.testing.TestFiles.testdata().resolve("torch/lenet5_tanh.outputs.f32"));
        try (Predictor p = model.newPredictor(Layout.NCHW, 1, KernelChoice.SCALAR); Predictor best = model.newPredictor(Layout.NCHW)) {
            assertEquals("scalar", p.kernels());
            assertEquals(Kernels.best().name(), best.kernels()); // a model holds a plan per choice
            var d = lenet5.testing.TestFiles.assertClose(expected, p.batchPredict(x), 16, 1e-6, "KernelChoice.SCALAR");
            assertEquals(16, d.argmaxAgreement());
        }
    }
}
