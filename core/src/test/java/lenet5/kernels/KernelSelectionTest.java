package lenet5.kernels;

import lenet5.layout.Layout;
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
}
