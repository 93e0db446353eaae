package lenet5.cli;

import lenet5.io.RawFloats;
import lenet5.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's main command, checked against what PyTorch computed for the same files (testdata/generate.py). */
class PredictCommandTest {
    static final Path TORCH = TestFiles.testdata().resolve("torch");
    static final Path IMAGES = TestFiles.testdata().resolve("mnist/test-images-idx3-ubyte.gz");
    static final Path LABELS = TestFiles.testdata().resolve("mnist/test-labels-idx1-ubyte.gz");

    @Test
    void accuracyLineIsPyTorchsOnTheTestSplit(@TempDir Path tmp) throws Exception {
        for (String model : new String[] {"lenet5_tanh", "lenet5_relu", "lenet5_flat400"}) {
            Path out = tmp.resolve(model + ".f32");
            Cli r = Cli.run("predict", TORCH.resolve(model + ".pt").toString(), "--images", IMAGES.toString(),
                    "--labels", LABELS.toString(), "--output", out.toString());
            assertEquals(0, r.exit(), r.err());
            String pytorchLine = Files.readString(TORCH.resolve(model + ".accuracy.txt")).trim();
            assertTrue(r.out().contains(pytorchLine + "\n"), "expected PyTorch's '" + pytorchLine + "' in\n" + r.out());
            assertTrue(r.out().contains("confusion matrix"));

            // All 2000 probability rows within 2e-6 of PyTorch's, and the same class everywhere. 2e-6 rather than
            // the 1e-6 the 16 fixed inputs meet: over 2000 real digits the ReLU model's logits reach ~20, and
            // float32 summation order (PyTorch's oneDNN vs our kernels) moved one probability by 1.7e-6 (measured).
            float[] ours = RawFloats.read(out);
            float[] theirs = RawFloats.read(TORCH.resolve(model + ".test_probs.f32"));
            var d = TestFiles.assertClose(theirs, ours, 2000, 2e-6, model + " test split");
            assertEquals(2000, d.argmaxAgreement());
            byte[] predicted = Files.readAllBytes(TORCH.resolve(model + ".test_predictions.u8"));
            for (int i = 0; i < 2000; i++) {
                assertEquals(predicted[i], (byte) lenet5.model.Predictor.argmax(ours, i * 10, 10), "image " + i);
            }
        }
    }

    @Test
    void rawInputAndLogitsMatchPyTorch(@TempDir Path tmp) {
        Path out = tmp.resolve("logits.f32");
        Cli r = Cli.run("predict", TORCH.resolve("lenet5_tanh.pt").toString(), "--input",
                TORCH.resolve("inputs_16x1x28x28.f32").toString(), "--layout", "nchw", "--logits", "--output", out.toString());
        assertEquals(0, r.exit(), r.err());
        TestFiles.assertClose(RawFloats.read(TORCH.resolve("lenet5_tanh.logits.f32")), RawFloats.read(out), 16, 1e-5, "logits");
    }

    @Test
    void kernelsAreChosenAndNamed(@TempDir Path tmp) {
        // Few images: plain Java by default (the Vector API's cold code would cost more); each choice gives PyTorch's numbers.
        for (String kernels : new String[] {null, "scalar", "BEST"}) {
            Path out = tmp.resolve(kernels + ".f32");
            Cli r = kernels == null
                    ? Cli.run("predict", TORCH.resolve("lenet5_tanh.pt").toString(), "--input", TORCH.resolve("inputs_16x1x28x28.f32").toString(),
                    "--layout", "nchw", "--output", out.toString())
                    : Cli.run("predict", TORCH.resolve("lenet5_tanh.pt").toString(), "--input", TORCH.resolve("inputs_16x1x28x28.f32").toString(),
                    "--layout", "nchw", "--output", out.toString(), "--kernels", kernels);
            assertEquals(0, r.exit(), r.err());
            String named = kernels == null || kernels.equals("scalar") ? "scalar kernels)" : " kernels)";
            assertTrue(r.out().contains(named), r.out());
            var d = TestFiles.assertClose(RawFloats.read(TORCH.resolve("lenet5_tanh.outputs.f32")), RawFloats.read(out), 16, 1e-6, "--kernels " + kernels);
            assertEquals(16, d.argmaxAgreement());
        }
        Cli bad = Cli.run("predict", TORCH.resolve("lenet5_tanh.pt").toString(), "--input", TORCH.resolve("inputs_16x1x28x28.f32").toString(),
                "--kernels", "gpu");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("--kernels") && bad.err().contains("gpu"), bad.err());
    }

    @Test
    void threadsSplitTheBatchWithoutChangingABit(@TempDir Path tmp) throws Exception {
        Path one = tmp.resolve("1.f32"), three = tmp.resolve("3.f32");
        for (Path out : new Path[] {one, three}) {
            Cli r = Cli.run("predict", TORCH.resolve("lenet5_tanh.pt").toString(), "--images", IMAGES.toString(),
                    "--threads", out == one ? "1" : "3", "--output", out.toString());
            assertEquals(0, r.exit(), r.err());
        }
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(one), Files.readAllBytes(three)));
        TestFiles.assertClose(RawFloats.read(TORCH.resolve("lenet5_tanh.test_probs.f32")), RawFloats.read(three), 2000, 2e-6, "3 threads");
        Cli bad = Cli.run("predict", TORCH.resolve("lenet5_tanh.pt").toString(), "--images", IMAGES.toString(), "--threads", "0");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("--threads must be at least 1"), bad.err());
    }

    @Test
    void nhwcInputOfThreeChannelsIsTransposed(@TempDir Path tmp) {
        // lenet5_odd takes 3x32x30; feed the same images as NHWC and expect PyTorch's outputs.
        float[] nchw = RawFloats.read(TORCH.resolve("inputs_16x3x32x30.f32"));
        Path nhwc = tmp.resolve("in.f32");
        RawFloats.write(nhwc, lenet5.layout.WeightLayouts.nchwToNhwc(nchw, 16, lenet5.tensor.Shape.chw(3, 32, 30)));
        Path out = tmp.resolve("out.f32");
        Cli r = Cli.run("predict", TORCH.resolve("lenet5_odd.pt").toString(), "--input-shape", "3x32x30",
                "--input", nhwc.toString(), "--layout", "nhwc", "--output", out.toString());
        assertEquals(0, r.exit(), r.err());
        TestFiles.assertClose(RawFloats.read(TORCH.resolve("lenet5_odd.outputs.f32")), RawFloats.read(out), 16, 1e-5, "odd nhwc");
    }

    @Test
    void rawInputOfWrongSizeIsOneClearError(@TempDir Path tmp) throws Exception {
        Path bad = tmp.resolve("bad.f32");
        Files.write(bad, new byte[4 * 785]);
        Cli r = Cli.run("predict", TORCH.resolve("lenet5_tanh.pt").toString(), "--input", bad.toString());
        assertEquals(2, r.exit());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("error: " + bad + ": 785 float32 values are not a whole number of images of 784"), r.err());
    }

    @Test
    void missingModelIsOneClearError() {
        Cli r = Cli.run("predict", "no/such/model.pt", "--images", IMAGES.toString());
        assertEquals(2, r.exit());
        assertEquals("error: no/such/model.pt: no such file", r.err().strip());
    }

    @Test
    void wrongIdxMagicNamesExpectedAndActual() {
        Cli r = Cli.run("predict", TORCH.resolve("lenet5_tanh.pt").toString(), "--images", LABELS.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("magic 0x00000801, expected 0x00000803"), r.err());
    }
}
