package lenet5.integration;

import lenet5.io.RawFloats;
import lenet5.layout.WeightLayouts;
import lenet5.tensor.Shape;
import lenet5.safety.CliRun;
import lenet5.testing.KerasLayerCase;
import lenet5.testing.RealKeras;
import lenet5.testing.RealTorch;
import lenet5.testing.TestFiles;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The layer vocabulary across frameworks, in the real frameworks: the PyTorch models of
 * testdata/layers/torch converted by {@code lenet5 convert} to .h5 and .keras run in real Keras
 * 3.11.3 and give PyTorch's outputs; the Keras models of testdata/layers/keras converted to .pt
 * run in real PyTorch (the loader .py convert writes) and give Keras's outputs. What the target
 * cannot express is refused with the reason. Tolerance {@value #TOL}: both frameworks compute in
 * float32 with different summation orders; outputs are below 3 in magnitude.
 */
class LayerConversionTest {
    static final double TOL = 1e-6;
    static final int N = 8;
    /** PyTorch models and targets Keras cannot express, with a substring of the reason. */
    static final Map<String, String> TORCH_REFUSED = Map.of(
            "layers_t2.h5", "hard_sigmoid",
            "layers_t3.h5", "Keras clips only from 0",
            "layers_t3.keras", "Keras clips only from 0");

    @TempDir
    Path tmp;

    static Path torchDir() {
        return TestFiles.testdata().resolve("layers/torch");
    }

    @Test
    void kerasRunsPyTorchModelsConvertedToKeras() {
        RealKeras.assumeAvailable();
        List<String> jobs = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (String model : List.of("layers_t1", "layers_t2", "layers_t3", "layers_t4", "layers_t5")) {
            for (String target : List.of("h5", "keras")) {
                Path out = tmp.resolve(model + "." + target);
                CliRun c = CliRun.of("convert", torchDir().resolve(model + ".pt").toString(), out.toString());
                String refused = TORCH_REFUSED.get(model + "." + target);
                if (refused != null) {
                    assertNotEquals(0, c.exit(), model + " -> ." + target + " must be refused");
                    assertTrue(c.err().contains(refused), c.err());
                    System.out.println(model + " -> ." + target + ": refused as expected: " + c.err().strip());
                    continue;
                }
                assertEquals(0, c.exit(), c.err());
                // 1x28x28 inputs: NCHW and NHWC are the same bytes
                jobs.add(RealKeras.job(out, torchDir().resolve("inputs.f32"), new int[] {N, 28, 28, 1}, tmp.resolve(model + "." + target + ".out")));
                names.add(model + "." + target);
            }
        }
        RealKeras.run(jobs);
        for (String n : names) {
            String model = n.substring(0, n.indexOf('.'));
            var d = TestFiles.assertClose(RawFloats.read(torchDir().resolve(model + ".outputs.f32")), RawFloats.read(tmp.resolve(n + ".out")),
                    N, TOL, "real Keras on " + n + " (converted) vs PyTorch");
            assertEquals(N, d.argmaxAgreement());
        }
    }

    @TestFactory
    Stream<DynamicTest> pytorchRunsKerasModelsConvertedToPt() {
        return KerasLayerCase.all().stream().map(c -> DynamicTest.dynamicTest(c + " -> .pt", () -> {
            RealTorch.assumeAvailable();
            Path pt = tmp.resolve(c.name() + ".pt");
            CliRun r = CliRun.of("convert", c.file("keras").toString(), pt.toString());
            assertEquals(0, r.exit(), r.err());
            Path out = tmp.resolve(c.name() + ".torch.f32");
            int[] s = c.inputShape(); // Keras's (N, H, W[, C])
            Shape chw = Shape.chw(s.length == 4 ? s[3] : 1, s[1], s[2]);
            Path nchw = tmp.resolve(c.name() + ".nchw.f32");
            RawFloats.write(nchw, WeightLayouts.nhwcToNchw(c.inputValues(), c.samples(), chw));
            RealTorch.run("run_converted.py", List.of(tmp.resolve(c.name() + ".py").toString(), nchw.toString(),
                    c.samples() + "," + chw.channels() + "," + chw.height() + "," + chw.width(), out.toString()));
            var d = TestFiles.assertClose(c.outputValues(), RawFloats.read(out), c.samples(), TOL,
                    "real PyTorch on " + c + ".pt (converted) vs Keras");
            assertEquals(c.samples(), d.argmaxAgreement());
        }));
    }
}
