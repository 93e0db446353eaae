package lenet5.torch;

import lenet5.layout.Layout;
import lenet5.Lenet5;
import lenet5.Lenet5Exception;
import lenet5.UnsupportedFormatException;
import lenet5.compare.Diff;
import lenet5.io.Idx;
import lenet5.io.RawFloats;
import lenet5.model.Predictor;
import lenet5.model.Sequential;
import lenet5.testing.TestFiles;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every model file real PyTorch 1.13 wrote into testdata/torch, against the numbers PyTorch
 * computed for it (see testdata/README.md).
 *
 * <p>Tolerances, absolute: {@value #TOL_PROBS} on softmax probabilities and {@value #TOL_LOGITS}
 * on logits and raw outputs. Both sides compute in float32; they differ only in summation order
 * (PyTorch's oneDNN/MKL kernels vs. the engine's loops), a few ulps of the largest partial sums.
 * Logits reach about 20 in magnitude, where one float32 ulp is 2e-6, so their bound is looser;
 * softmax compresses those differences. Measured maxima are printed by every test.
 */
class TorchManifestTest {
    static final double TOL_PROBS = 1e-6;
    static final double TOL_LOGITS = 1e-5;
    /** Per-layer activations: convolution sums of up to 400 products, values up to about 20. */
    static final double TOL_ACTIVATIONS = 1e-5;
    /**
     * Probabilities over the 2000-image test split (20,000 values): the worst case over 1,250 times
     * more rows than the 16 manifest inputs; measured 1.7e-6 (lenet5_relu, a 0.23 probability whose
     * logits differ by 5 float32 ulps).
     */
    static final double TOL_SPLIT_PROBS = 2e-6;

    @TestFactory
    Stream<DynamicTest> everyManifest() {
        List<Manifest> all = Manifest.all();
        assertTrue(all.size() >= 20, "expected the testdata/torch manifests, found " + all.size());
        return all.stream().map(m -> DynamicTest.dynamicTest(m.stem(), () -> check(m)));
    }

    private static void check(Manifest m) {
        if (m.get("error") != null) {
            Lenet5Exception e = assertThrows(UnsupportedFormatException.class, () -> Lenet5.load(m.model(), m.options()));
            String msg = e.getMessage();
            System.out.println(m + ": refused as expected: " + msg);
            assertTrue(msg.toLowerCase(Locale.ROOT).contains(m.get("error").toLowerCase(Locale.ROOT)), msg);
            assertTrue(msg.startsWith(m.model().toString()), "the message names the file: " + msg);
            return;
        }
        Sequential model = Lenet5.load(m.model(), m.options());
        assertEquals(m.inputShape(), model.inputShape(), "input shape");
        System.out.println(m + ": " + model.info().format() + " [" + model.info().frameworkVersion() + "]");
        int n = m.samples();
        float[] inputs = RawFloats.read(m.path("inputs"));
        float[] expected = RawFloats.read(m.path("outputs"));
        boolean softmax = model.withoutFinalActivation() != model;
        Diff d;
        try (Predictor p = model.newPredictor(Layout.NCHW)) {
            // a manifest may state a tighter bound (testdata/layers: small untrained models)
            double tol = m.get("tolerance") != null ? Double.parseDouble(m.get("tolerance")) : softmax ? TOL_PROBS : TOL_LOGITS;
            d = TestFiles.assertClose(expected, p.batchPredict(inputs), n, tol, m + " outputs");
        }
        assertEquals(n, d.argmaxAgreement(), "argmax agreement");
        if (m.get("logits") != null) {
            try (Predictor p = model.withoutFinalActivation().newPredictor(Layout.NCHW)) {
                TestFiles.assertClose(RawFloats.read(m.path("logits")), p.batchPredict(inputs), n, TOL_LOGITS, m + " logits");
            }
        }
        // one StoredWeight per tensor in the file (a BatchNorm with affine=False stores no weight and bias)
        assertEquals(model.layers().stream().mapToInt(l -> lenet5.torch.nn.Binder.tensorNames(l).size()).sum(),
                model.info().storedWeights().size(), "one StoredWeight per tensor");
    }

    /** Every layer's output for the base models, against PyTorch's recorded activations. */
    @TestFactory
    Stream<DynamicTest> activations() {
        return Manifest.all().stream().filter(m -> m.get("activations") != null && m.get("architecture") == null)
                .map(m -> DynamicTest.dynamicTest(m.stem(), () -> {
                    Sequential model = Lenet5.load(m.model(), m.options());
                    Path dir = m.path("activations");
                    List<String> files;
                    try (Stream<Path> s = Files.list(dir)) {
                        files = s.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".f32")).sorted().toList();
                    }
                    Properties shapes = new Properties();
                    try (Reader r = Files.newBufferedReader(dir.resolve("shapes.properties"))) {
                        shapes.load(r);
                    }
                    assertEquals(model.layers().size(), files.size(), "one activation file per layer");
                    int n = m.samples();
                    List<float[]> acts;
                    try (Predictor p = model.newPredictor(Layout.NCHW)) {
                        acts = p.activations(RawFloats.read(m.path("inputs")), n);
                    }
                    for (int i = 0; i < files.size(); i++) {
                        String f = files.get(i);
                        String[] dims = shapes.getProperty(f.substring(0, f.length() - 4)).split(",");
                        int perSample = 1;
                        for (int k = 1; k < dims.length; k++) {
                            perSample *= Integer.parseInt(dims[k]);
                        }
                        assertEquals(perSample, model.outputShapes().get(i).size(), f + " shape " + String.join(",", dims));
                        TestFiles.assertClose(RawFloats.read(dir.resolve(f)), acts.get(i), n, TOL_ACTIVATIONS, m + " layer " + f);
                    }
                }));
    }

    /** The 2000-image MNIST test split: the same predicted class as PyTorch for every image, and close probabilities. */
    @TestFactory
    Stream<DynamicTest> mnistTestSplit() {
        return Manifest.all().stream().filter(m -> m.get("test_predictions") != null)
                .map(m -> DynamicTest.dynamicTest(m.stem(), () -> {
                    Sequential model = Lenet5.load(m.model(), m.options());
                    Idx.Images images = Idx.readImages(m.path("test_images"));
                    float[] probs;
                    try (Predictor p = model.newPredictor(Layout.NCHW)) {
                        probs = p.batchPredict(images.toFloats(true));
                    }
                    byte[] torchClasses = Files.readAllBytes(m.path("test_predictions"));
                    assertEquals(images.count(), torchClasses.length);
                    List<Integer> differ = new ArrayList<>();
                    int correct = 0;
                    int[] labels = Idx.readLabels(m.path("test_labels"));
                    for (int i = 0; i < images.count(); i++) {
                        int c = Predictor.argmax(probs, i * 10, 10);
                        if (c != torchClasses[i]) {
                            differ.add(i);
                        }
                        correct += c == labels[i] ? 1 : 0;
                    }
                    assertTrue(differ.isEmpty(), m + ": predicted classes differ from PyTorch's for images " + differ);
                    assertEquals(Integer.parseInt(m.get("test_correct")), correct, "correct predictions");
                    TestFiles.assertClose(RawFloats.read(m.path("test_probs")), probs, images.count(), TOL_SPLIT_PROBS, m + " test split probabilities");
                }));
    }

}
