package lenet5.kernels;

import lenet5.io.Idx;
import lenet5.io.RawFloats;
import lenet5.layout.Layout;
import lenet5.testing.TestFiles;
import lenet5.testing.TorchModels;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fidelity: on the 2000 committed MNIST test digits, every kernel path (scalar and Vector API,
 * batched and image by image) is at least as close to the exact result as PyTorch's own float32
 * forward pass is. The exact result is PyTorch's float64 forward pass of the same weights
 * ({@code <model>.test_probs.f64}, written by {@code testdata/generate.py --derived}).
 */
class Float64ReferenceTest {
    static final List<String> MODELS = List.of("lenet5_tanh", "lenet5_relu", "lenet5_flat400");

    @TestFactory
    Stream<DynamicTest> everyPathAtLeastAsCloseAsPyTorchFloat32() throws IOException {
        float[] images = Idx.readImages(TestFiles.testdata().resolve("mnist/test-images-idx3-ubyte.gz")).toFloats(true);
        List<DynamicTest> tests = new ArrayList<>();
        for (String name : MODELS) {
            double[] exact = readF64(name);
            float[] torch32 = RawFloats.read(TorchModels.torch().resolve(name + ".test_probs.f32"));
            double bound = maxAbs(exact, torch32);
            for (Kernels k : TorchEquivalenceTest.kernelSets()) {
                for (boolean batched : new boolean[]{true, false}) {
                    String what = name + " " + k.name() + (batched ? " batched" : " per-image");
                    tests.add(DynamicTest.dynamicTest(what, () -> {
                        float[] ours = run(name, k, images, batched);
                        double d = maxAbs(exact, ours);
                        System.out.printf("%s: max abs from float64 %.3e (PyTorch float32: %.3e)%n", what, d, bound);
                        assertTrue(d <= bound, what + ": " + d + " from the float64 result, PyTorch float32 is " + bound);
                    }));
                }
            }
        }
        return tests.stream();
    }

    static float[] run(String name, Kernels k, float[] images, boolean batched) {
        Plan plan = Plan.compile(TorchModels.load(name), k, true);
        Workspace ws = plan.newWorkspace();
        int n = images.length / plan.inSize();
        float[] out = new float[n * plan.outSize()];
        if (batched) {
            plan.run(images, 0, Layout.NCHW, n, out, 0, ws);
        } else {
            for (int i = 0; i < n; i++) {
                plan.run(images, i * plan.inSize(), Layout.NCHW, 1, out, i * plan.outSize(), ws);
            }
        }
        return out;
    }

    static double[] readF64(String name) throws IOException {
        byte[] bytes = Files.readAllBytes(TorchModels.torch().resolve(name + ".test_probs.f64"));
        double[] d = new double[bytes.length / 8];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(d);
        return d;
    }

    static double maxAbs(double[] exact, float[] got) {
        if (exact.length != got.length) {
            throw new IllegalArgumentException(exact.length + " reference values, " + got.length + " computed");
        }
        double m = 0;
        for (int i = 0; i < exact.length; i++) {
            m = Math.max(m, Math.abs(exact[i] - got[i]));
        }
        return m;
    }
}
