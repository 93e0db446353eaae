package lenet5.cli;

import lenet5.io.RawFloats;
import lenet5.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where a file needs an architecture, the CLI says --arch (not the Java API), and its own converted files need none. */
class ArchitectureOptionTest {
    @TempDir
    Path tmp;

    @Test
    void weightsOnlyKerasFilesAskForArch() {
        Path w = TestFiles.root().resolve("backend-keras/src/test/resources/keras3/k3_named.weights.h5");
        Cli r = Cli.run("inspect", w.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("with --arch"), r.err());
        assertFalse(r.err().contains("LoadOptions"), r.err());
        Cli c = Cli.run("compare", w.toString(), w.toString());
        assertTrue(c.err().contains("with --arch-a or --arch-b"), c.err());
        Cli ok = Cli.run("inspect", w.toString(), "--arch", w.resolveSibling("k3_named.keras").toString());
        assertEquals(0, ok.exit(), ok.err());
    }

    /** A user's own nn.Module: the error drafts --arch text from the modules in registration order. */
    @Test
    void userModulesGetARegistrationOrderDraft() {
        Path pkl = TestFiles.shared("wild").resolve("LeiGan0215_pytorch-LeNet5_lenet.pkl");
        Cli r = Cli.run("inspect", pkl.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("with --arch; its modules in registration order"), r.err());
        assertTrue(r.err().contains(": Sequential(Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2)), Conv2d(6, 16, "
                + "kernel_size=(5, 5), stride=(1, 1), padding=(2, 2)), Flatten(), Linear(784, 120), Linear(120, 84), Linear(84, 10))"), r.err());
    }

    /**
     * The CIFAR-10 tutorial's way (one self.pool after each convolution): its draft pasted as it is
     * infers a smaller input, and the size error says why.
     */
    @Test
    void aDraftMissingARepeatedPoolSaysSoWhenTheImagesDoNotFit() {
        Path pt = TestFiles.testdata().resolve("torch/lenet5_relu_user_tutorial.pt");
        Cli refused = Cli.run("inspect", pt.toString());
        String draft = refused.err().substring(refused.err().lastIndexOf(": Sequential(") + 2).strip();
        Cli r = Cli.run("predict", pt.toString(), "--arch", draft, "--images",
                TestFiles.testdata().resolve("mnist/test-images-idx3-ubyte.gz").toString());
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("images are 1x28x28, the model expects 1x18x18 (inferred from --arch, which has no --input-shape: "
                + "if the model ran on these images, the architecture lacks layers that shrink the map"), r.err());
    }

    /** What convert wrote loads back as it is, and with exactly the loader script it wrote as --arch @x.py. */
    @Test
    void convertedPtLoadsBackAsItIs() {
        Path src = TestFiles.testdata().resolve("torch/lenet5_flat400_state_dict.pt");
        String arch = "Sequential(Conv2d(1, 6, kernel_size=5, padding=2), ReLU(), MaxPool2d(2, stride=2), Conv2d(6, 16, kernel_size=5), "
                + "ReLU(), MaxPool2d(2), Flatten(), Linear(400, 120), ReLU(), Linear(120, 84), ReLU(), Linear(84, 10), Softmax(dim=1))";
        Path pt = tmp.resolve("x.pt");
        assertEquals(0, Cli.run("convert", src.toString(), pt.toString(), "--arch", arch).exit());
        Path in = TestFiles.testdata().resolve("torch/inputs_16x1x28x28.f32");
        Path a = tmp.resolve("a.f32"), b = tmp.resolve("b.f32"), c = tmp.resolve("c.f32");
        assertEquals(0, Cli.run("predict", src.toString(), "--arch", arch, "--input", in.toString(), "--output", a.toString()).exit());
        Cli plain = Cli.run("predict", pt.toString(), "--input", in.toString(), "--output", b.toString());
        assertEquals(0, plain.exit(), plain.err());
        Cli script = Cli.run("predict", pt.toString(), "--arch", "@" + tmp.resolve("x.py"), "--input", in.toString(), "--output", c.toString());
        assertEquals(0, script.exit(), script.err());
        assertArrayEquals(RawFloats.read(a), RawFloats.read(b));
        assertArrayEquals(RawFloats.read(a), RawFloats.read(c));
    }
}
