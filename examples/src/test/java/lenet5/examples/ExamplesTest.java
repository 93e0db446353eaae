package lenet5.examples;

import lenet5.io.RawFloats;
import lenet5.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs every example's main as a user would, and checks what it printed against what PyTorch computed. */
class ExamplesTest {
    static final Path TORCH = TestFiles.testdata().resolve("torch");
    static final Path MNIST = TestFiles.testdata().resolve("mnist");

    @TempDir
    Path tmp;

    /** digit.png is MNIST test image 0 (testdata/mnist), written losslessly: PyTorch's prediction and probability for it. */
    @Test
    void classifyDigit() throws Exception {
        String out = run(() -> ClassifyDigit.main(new String[0]));
        Matcher m = Pattern.compile("digit: (\\d) \\(probability ([0-9.]+)\\)").matcher(out);
        assertTrue(m.find(), out);
        int torchDigit = Files.readAllBytes(TORCH.resolve("lenet5_tanh.test_predictions.u8"))[0];
        float torchProbability = RawFloats.read(TORCH.resolve("lenet5_tanh.test_probs.f32"))[torchDigit];
        assertEquals(torchDigit, Integer.parseInt(m.group(1)));
        // Printed with 4 decimals; the engine is within 1e-6 of PyTorch on these probabilities.
        assertEquals(torchProbability, Double.parseDouble(m.group(2)), 0.5e-4 + 1e-6);
    }

    /** MNIST test digits as a photo-like JPEG and a transparent PNG: the digits' labels. */
    @Test
    void classifyImageFiles() throws Exception {
        lenet5.io.Idx.Images digits = lenet5.testing.DigitImages.digits();
        int[] labels = lenet5.testing.DigitImages.labels();
        Path jpg = tmp.resolve("a.jpg"), png = tmp.resolve("b.png");
        Files.write(jpg, lenet5.testing.DigitImages.JPEG_Q75.file(digits, 1));
        Files.write(png, lenet5.testing.DigitImages.ALPHA.file(digits, 2));
        String out = run(() -> ClassifyImageFiles.main(new String[] {TORCH.resolve("lenet5_tanh.pt").toString(), jpg.toString(), png.toString()}));
        assertTrue(out.contains(jpg + ": " + labels[1] + " (probability"), out);
        assertTrue(out.contains(png + ": " + labels[2] + " (probability"), out);
    }

    @Test
    void convertModel() throws Exception {
        Path h5 = tmp.resolve("lenet5_tanh.h5");
        String out = run(() -> ConvertModel.main(new String[] {TORCH.resolve("lenet5_tanh.pt").toString(), h5.toString()}));
        assertTrue(Files.size(h5) > 0);
        assertTrue(out.contains("argmax_agreement: 16/16"), out);
    }

    /** The same trained weights saved by torch.save and by torch.jit.script: the same outputs, layer by layer. */
    @Test
    void compareModels() throws Exception {
        String out = run(() -> CompareModels.main(new String[] {TORCH.resolve("lenet5_tanh.pt").toString(),
                TORCH.resolve("lenet5_tanh_script.pt").toString()}));
        assertTrue(out.startsWith("outputs: max_abs_diff: 0.000e+00"), out);
        assertTrue(out.lines().count() > 1, "and layer by layer:\n" + out);
    }

    /** Four threads over the 2,000 test digits give the accuracy line PyTorch printed for the same file. */
    @Test
    void batchPredict() throws Exception {
        String out = run(() -> BatchPredict.main(new String[] {TORCH.resolve("lenet5_tanh.pt").toString(),
                MNIST.resolve("test-images-idx3-ubyte.gz").toString(), MNIST.resolve("test-labels-idx1-ubyte.gz").toString()}));
        assertEquals(Files.readString(TORCH.resolve("lenet5_tanh.accuracy.txt")).strip(), out.strip());
    }

    interface Main {
        void run() throws Exception;
    }

    /** What {@code main} printed to System.out. */
    static String run(Main main) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            main.run();
        } finally {
            System.setOut(original);
        }
        String out = buffer.toString(StandardCharsets.UTF_8);
        System.out.print(out);
        return out;
    }
}
