package lenet5.torch;

import lenet5.LoadOptions;
import lenet5.Lenet5;
import lenet5.io.RawFloats;
import lenet5.model.Sequential;
import lenet5.tensor.Tensor;
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
import java.util.stream.IntStream;
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
        }
        List<float[]> outputs = RealTorch.jobs(RealTorch.run("run_state_dict.py", jobs));
        assertEquals(manifests.size(), outputs.size(), "one output block per job");
        return IntStream.range(0, manifests.size()).mapToObj(i -> DynamicTest.dynamicTest(manifests.get(i).stem(), () -> {
            Manifest m = manifests.get(i);
            var d = TestFiles.assertClose(RawFloats.read(m.path("outputs")), outputs.get(i), m.samples(), TOL,
                    m + ": real PyTorch on our .pt vs PyTorch's reference");
            assertEquals(m.samples(), d.argmaxAgreement());
        }));
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
