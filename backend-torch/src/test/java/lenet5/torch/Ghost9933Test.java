package lenet5.torch;

import lenet5.layout.Layout;
import lenet5.ArchitectureMismatchException;
import lenet5.Lenet5;
import lenet5.LoadOptions;
import lenet5.io.RawFloats;
import lenet5.model.Predictor;
import lenet5.model.Sequential;
import lenet5.tensor.Shape;
import lenet5.testing.RealTorch;
import lenet5.testing.TestFiles;
import lenet5.torch.nn.TorchSyntax;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A third-party state_dict from GitHub (ghost9933/LENET-5, see ../shared/fixtures/third-party/PROVENANCE.md):
 * keys convLayer1..fcNlayer3, 32x32 input, tanh, AvgPool2d(2, 2), softmax, no conv padding. No
 * reference outputs exist, so real PyTorch computes them here on fixed inputs, loading the same
 * file into the same architecture (tensors matched by position, as the Java side binds them).
 * Tolerance {@value #TOL} on probabilities, as for the testdata models.
 */
class Ghost9933Test {
    static final double TOL = 1e-6;
    static final String ARCHITECTURE = "Sequential(Conv2d(1, 6, kernel_size=5), Tanh(), AvgPool2d(kernel_size=2, stride=2), "
            + "Conv2d(6, 16, kernel_size=5), Tanh(), AvgPool2d(kernel_size=2, stride=2), Flatten(), Linear(400, 120), Tanh(), "
            + "Linear(120, 84), Tanh(), Linear(84, 10), Softmax(dim=1))";
    static final Shape INPUT = Shape.chw(1, 32, 32);
    static final int N = 8;

    @TempDir
    Path tmp;

    static Path file() {
        Path p = TestFiles.sharedFixtures().resolve("third-party/ghost9933_LENET-5_lenet5.pth");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(p), p + " is absent");
        return p;
    }

    @Test
    void withoutArchitectureTheErrorListsTheTensors() {
        Path p = file();
        ArchitectureMismatchException e = assertThrows(ArchitectureMismatchException.class, () -> Lenet5.load(p));
        assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("'convLayer1.weight' [6, 1, 5, 5]"), e.getMessage());
        // The API names its own remedy; the CLI words the same one with its option.
        assertTrue(e.getMessage().contains("LoadOptions.withArchitecture"), e.getMessage());
        assertTrue(e instanceof lenet5.ArchitectureRequiredException a && a.problem("--arch").contains("with --arch"), e.getMessage());
    }

    @Test
    void aWrongArchitectureListsExpectedAndFoundShapes() {
        Path p = file();
        String tutorial = lenet5.torch.nn.StateDicts.TUTORIAL;
        ArchitectureMismatchException e = assertThrows(ArchitectureMismatchException.class, () ->
                Lenet5.load(p, LoadOptions.DEFAULTS.withArchitecture(TorchSyntax.parse(tutorial, Shape.chw(1, 28, 28)))));
        System.out.println(e.getMessage());
        assertTrue(e.getMessage().contains("6.weight [120, 16, 5, 5]"), e.getMessage());
        assertTrue(e.getMessage().contains("'fcNLayer1.weight' [120, 400]"), e.getMessage());
        assertTrue(e.getMessage().contains("the first difference is #4"), e.getMessage());
    }

    @Test
    void matchesRealPyTorchWithTheUserSuppliedArchitecture() throws IOException {
        Path p = file();
        RealTorch.assumeAvailable();
        Sequential model = Lenet5.load(p, LoadOptions.DEFAULTS.withArchitecture(TorchSyntax.parse(ARCHITECTURE, INPUT)));
        assertEquals(INPUT, model.inputShape());
        assertEquals(10, model.info().storedWeights().size());
        assertEquals("convLayer1.weight", model.info().storedWeights().get(0).name());
        float[] inputs = new float[N * INPUT.size()];
        Random r = new Random(9933);
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = r.nextFloat();
        }
        Path in = tmp.resolve("inputs.f32");
        RawFloats.write(in, inputs);
        Path arch = Files.writeString(tmp.resolve("ghost.arch.py"), ARCHITECTURE);
        // Our own writer's file too: PyTorch loads it by key into the Sequential that TorchSyntax.format prints.
        Path ours = tmp.resolve("ghost_rewritten.pt");
        Lenet5.save(model, ours);
        Path oursArch = Files.writeString(tmp.resolve("ghost_rewritten.arch.py"), TorchSyntax.format(model));
        String shape = N + ":1:32:32";
        List<float[]> torch = RealTorch.jobs(RealTorch.run("run_state_dict.py",
                List.of(arch + "," + p + "," + in + "," + shape + ",bypos", oursArch + "," + ours + "," + in + "," + shape)));
        float[] java;
        try (Predictor pr = model.newPredictor(Layout.NCHW)) {
            java = pr.batchPredict(inputs);
        }
        var d = TestFiles.assertClose(torch.get(0), java, N, TOL, "ghost9933: Java vs real PyTorch");
        assertEquals(N, d.argmaxAgreement());
        TestFiles.assertClose(torch.get(0), torch.get(1), N, 0, "ghost9933: PyTorch on our rewritten .pt vs on the original");
    }
}
