package lenet5.keras;

import lenet5.Lenet5;
import lenet5.LoadOptions;
import lenet5.io.RawFloats;
import lenet5.layout.Layout;
import lenet5.model.Sequential;
import lenet5.testing.TestFiles;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Keras 3 {@code save_weights} files bound to an architecture that is not a flat channels_last
 * Sequential (testdata/layers/keras_weights, written by real Keras 3.11.3 with
 * generate_keras_weights.py, which checks that Keras's own load_weights reproduces the outputs):
 * nested Sequentials inside a functional chain (w1), BatchNormalization without gamma or beta
 * (w1, w2), channels_first models with the default Flatten, which reads (C,H,W) (w2, 3 channels),
 * and with Flatten(data_format='channels_first'), which reads (H,W,C) (w3); and the Keras MNIST
 * tutorial's MLP, whose input is (H,W) without a channel axis, read as a 1xHxW image (w4). The architecture is
 * each of the three a user has: the to_json config, the .keras and the legacy .h5 model; the
 * weights-only model must then predict Keras's outputs on Keras's inputs in the architecture's
 * own layout.
 *
 * <p>Tolerance {@value #TOL} absolute: outputs are at most ~1.3 in magnitude, the models two or
 * three layers deep.
 */
class WeightsOnlyArchitectureTest {
    static final double TOL = 1e-6;
    static final Path DIR = TestFiles.testdata().resolve("layers/keras_weights");
    /** Model, input layout Keras fed it, outputs per sample. */
    static final List<Object[]> CASES = List.of(
            new Object[] {"w1", Layout.NHWC, 3},
            new Object[] {"w2", Layout.NCHW, 5},
            new Object[] {"w3", Layout.NCHW, 4},
            new Object[] {"w4", Layout.NHWC, 3});

    @TestFactory
    Stream<DynamicTest> weightsBindToEveryArchitectureKind() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Object[] c : CASES) {
            String name = (String) c[0];
            for (String arch : List.of(".json", ".keras", ".h5")) {
                tests.add(DynamicTest.dynamicTest(name + ".weights.h5 with " + name + arch, () -> {
                    Sequential architecture = Lenet5.load(DIR.resolve(name + arch));
                    Sequential m = Lenet5.load(DIR.resolve(name + ".weights.h5"), LoadOptions.DEFAULTS.withArchitecture(architecture));
                    assertEquals(c[1], m.nativeLayout(), "the input layout Keras fed the model");
                    float[] expected = RawFloats.read(DIR.resolve(name + ".outputs.f32"));
                    int samples = expected.length / (int) c[2];
                    var d = TestFiles.assertClose(expected, Fixtures.predict(m, RawFloats.read(DIR.resolve(name + ".inputs.f32"))),
                            samples, TOL, name + ".weights.h5 with " + name + arch + " vs Keras");
                    assertEquals(samples, d.argmaxAgreement());
                }));
            }
        }
        return tests.stream();
    }

    /** A weights-only model is itself an architecture for the next weights file, with what it was bound by. */
    @Test
    void weightsOnlyModelPassesItsArchitectureOn() {
        Path weights = DIR.resolve("w2.weights.h5");
        Sequential once = Lenet5.load(weights, LoadOptions.DEFAULTS.withArchitecture(Lenet5.load(DIR.resolve("w2.json"))));
        Sequential twice = Lenet5.load(weights, LoadOptions.DEFAULTS.withArchitecture(once));
        assertEquals(Layout.NCHW, twice.nativeLayout());
        float[] x = RawFloats.read(DIR.resolve("w2.inputs.f32"));
        TestFiles.assertClose(Fixtures.predict(once, x), Fixtures.predict(twice, x), 8, 0, "bound twice vs once");
    }
}
