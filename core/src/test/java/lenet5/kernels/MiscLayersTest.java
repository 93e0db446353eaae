package lenet5.kernels;

import lenet5.layout.Layout;
import lenet5.model.Sequential;
import lenet5.testing.TestFiles;
import lenet5.testing.TorchModels;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The layers LeNet-5 does not use, against PyTorch's own per-layer outputs (exported with the
 * model by src/test/resources/torch-weights/export.py): every kernel set, batched and per image.
 */
class MiscLayersTest {
    static final String[] LAYERS = {"00_ZeroPad2d", "01_Conv2d", "02_BatchNorm2d", "03_ReLU", "04_MaxPool2d", "05_AvgPool2d",
        "06_Softmax", "07_Conv2d", "08_Sigmoid", "09_AvgPool2d", "10_Flatten", "11_Dropout", "12_Linear", "13_Tanh",
        "14_Linear", "15_Softmax"};
    static final int N = 40;

    @TestFactory
    Stream<DynamicTest> everyLayerMatchesPyTorch() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Kernels k : TorchEquivalenceTest.kernelSets()) {
            for (boolean batched : new boolean[]{true, false}) {
                tests.add(DynamicTest.dynamicTest(k.name() + (batched ? " batched" : " per-image"), () -> check(k, batched)));
            }
        }
        return tests.stream();
    }

    private static void check(Kernels k, boolean batched) {
        Sequential model = TorchModels.load("misc");
        float[] x = TorchModels.resourceFloats("misc_input_40x2x9x11.f32");
        assertEquals(LAYERS.length, model.layers().size());
        List<float[]> acts = Plan.compile(model, k, false).activations(x, N, batched);
        for (int i = 0; i < LAYERS.length; i++) {
            float[] expected = TorchModels.resourceFloats("misc_act/" + LAYERS[i] + ".f32");
            assertEquals(expected.length, acts.get(i).length, LAYERS[i] + " size");
            TestFiles.assertClose(expected, acts.get(i), N, TorchEquivalenceTest.ACT_TOL, "misc " + k.name() + " " + LAYERS[i]);
        }
        // The fused plan, 40 images: one full chunk and 8 images in a second one (or one by one).
        Plan plan = Plan.compile(model, k, true);
        float[] out = new float[N * 5];
        Workspace ws = plan.newWorkspace();
        if (batched) {
            plan.run(x, 0, Layout.NCHW, N, out, 0, ws);
        } else {
            for (int i = 0; i < N; i++) {
                plan.run(x, i * x.length / N, Layout.NCHW, 1, out, i * 5, ws);
            }
        }
        TestFiles.assertClose(TorchModels.resourceFloats("misc_act/15_Softmax.f32"), out, N, TorchEquivalenceTest.OUTPUT_TOL,
                "misc " + k.name() + " fused");
    }
}
