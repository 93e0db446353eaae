package lenet5.torch;

import lenet5.Lenet5;
import lenet5.LoadOptions;
import lenet5.SaveOptions;
import lenet5.io.RawFloats;
import lenet5.model.Sequential;
import lenet5.tensor.Tensor;
import lenet5.testing.RealTorch;
import lenet5.testing.TestFiles;
import lenet5.torch.nn.TorchSyntax;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Java reads each testdata model, writes it as a state_dict .pt plus the torch.nn.Sequential text
 * of {@link TorchSyntax#format}; real PyTorch then loads it with {@code weights_only=True} into
 * that Sequential and must reproduce the outputs PyTorch recorded for the original file.
 * Weights travel bit for bit and PyTorch computes both sides, so the tolerance, {@value #TOL},
 * is far above what should be seen (0).
 */
class RoundTripTest {
    static final double TOL = 1e-6;

    @TempDir
    Path tmp;

    @TestFactory
    Stream<DynamicTest> pytorchLoadsWhatWeWrite() throws IOException {
        RealTorch.assumeAvailable();
        List<Manifest> manifests = Manifest.all().stream().filter(m -> m.get("error") == null).toList();
        List<String> jobs = new ArrayList<>();
        for (Manifest m : manifests) {
            Sequential model = Lenet5.load(m.model(), m.options());
            Path pt = tmp.resolve(m.stem() + ".pt");
            Lenet5.save(model, pt);
            String text = TorchSyntax.format(model);
            Path arch = Files.writeString(tmp.resolve(m.stem() + ".arch.py"), text);
            assertWeightsIdentical(model, Lenet5.load(pt, LoadOptions.DEFAULTS.withArchitecture(TorchSyntax.parse(text, model.inputShape()))));
            jobs.add(arch + "," + pt + "," + m.path("inputs") + "," + m.get("input_shape").replace(',', ':'));
            Path full = tmp.resolve(m.stem() + ".full.pt");
            Lenet5.save(model, full, new SaveOptions(null, "full"));
            assertWeightsIdentical(model, Lenet5.load(full, LoadOptions.DEFAULTS.withInputShape(model.inputShape())));
            jobs.add("full," + full + "," + m.path("inputs") + "," + m.get("input_shape").replace(',', ':'));
        }
        List<float[]> outputs = RealTorch.jobs(RealTorch.run("run_state_dict.py", jobs));
        assertEquals(2 * manifests.size(), outputs.size(), "one output block per job");
        List<DynamicTest> tests = new ArrayList<>();
        for (int i = 0; i < manifests.size(); i++) {
            Manifest m = manifests.get(i);
            for (int k = 0; k < 2; k++) {
                float[] out = outputs.get(2 * i + k);
                String what = k == 0 ? "state_dict + architecture" : "full model (torch.load, weights_only=False)";
                tests.add(DynamicTest.dynamicTest(m.stem() + ", " + what, () -> {
                    var d = TestFiles.assertClose(RawFloats.read(m.path("outputs")), out, m.samples(), TOL,
                            m + ": real PyTorch on our " + what + " vs PyTorch's reference");
                    assertEquals(m.samples(), d.argmaxAgreement());
                }));
            }
        }
        return tests.stream();
    }

    static void assertWeightsIdentical(Sequential expected, Sequential actual) {
        List<Tensor> a = expected.weights();
        List<Tensor> b = actual.weights();
        assertEquals(a.size(), b.size(), "weight count");
        for (int i = 0; i < a.size(); i++) {
            assertTrue(a.get(i).bitEquals(b.get(i)), "weight " + i + " differs after writing and reading back");
        }
    }
}
