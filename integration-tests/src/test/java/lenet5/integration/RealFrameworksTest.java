package lenet5.integration;

import lenet5.io.RawFloats;
import lenet5.layout.Layout;
import lenet5.layout.WeightLayouts;
import lenet5.safety.CliRun;
import lenet5.tensor.Shape;
import lenet5.testing.RealTorch;
import lenet5.testing.Reference;
import lenet5.testing.TestFiles;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The converted files in the hands of the real frameworks: every Keras fixture converted to .pt by
 * {@code lenet5 convert} is loaded by real PyTorch with {@code weights_only=True} into the
 * torch.nn.Sequential that convert wrote next to it, and must reproduce the outputs Keras recorded.
 */
class RealFrameworksTest {
    @TempDir
    Path tmp;

    @TestFactory
    Stream<DynamicTest> pytorchRunsKerasModelsConvertedToPt() {
        return Reference.keras().stream().map(r -> DynamicTest.dynamicTest(r.toString(), () -> {
            RealTorch.assumeAvailable();
            String stem = r.model().getFileName().toString().replaceAll("\\.[^.]+$", "");
            Path pt = tmp.resolve(stem + ".pt");
            CliRun c = CliRun.of("convert", r.model().toString(), pt.toString());
            assertEquals(0, c.exit(), c.err());
            Shape s = Shape.parse(r.inputShape());
            Path nchw = tmp.resolve(stem + ".inputs.f32");
            RawFloats.write(nchw, r.layout() == Layout.NHWC ? WeightLayouts.nhwcToNchw(r.inputValues(), r.samples(), s) : r.inputValues());
            Path out = tmp.resolve(stem + ".torch-outputs.f32");
            RealTorch.run("run_converted.py", List.of(tmp.resolve(stem + ".py").toString(), nchw.toString(),
                    r.samples() + "," + s.channels() + "," + s.height() + "," + s.width(), out.toString()));
            var d = TestFiles.assertClose(r.outputValues(), RawFloats.read(out), r.samples(), 1e-5,
                    r + ": real PyTorch on the converted .pt vs " + r.framework());
            assertEquals(r.samples(), d.argmaxAgreement());
        }));
    }

    @TestFactory
    Stream<DynamicTest> pytorchRunsPyTorchModelsRewrittenByUs() {
        return Reference.torch().stream().filter(r -> r.error() == null && r.architecture() == null)
                .map(r -> DynamicTest.dynamicTest(r.toString(), () -> {
                    RealTorch.assumeAvailable();
                    String stem = r.model().getFileName().toString().replaceAll("\\.[^.]+$", "");
                    Path pt = tmp.resolve(stem + ".rewritten.pt");
                    CliRun c = CliRun.of("convert", r.model().toString(), pt.toString(), "--input-shape", r.inputShape());
                    assertEquals(0, c.exit(), c.err());
                    Shape s = Shape.parse(r.inputShape());
                    Path out = tmp.resolve(stem + ".torch-outputs.f32");
                    RealTorch.run("run_converted.py", List.of(tmp.resolve(stem + ".rewritten.py").toString(), r.inputs().toString(),
                            r.samples() + "," + s.channels() + "," + s.height() + "," + s.width(), out.toString()));
                    TestFiles.assertClose(r.outputValues(), RawFloats.read(out), r.samples(), 1e-6,
                            r + ": real PyTorch on our rewritten .pt vs " + r.framework());
                }));
    }
}
