package lenet5.image;

import lenet5.io.Idx;
import lenet5.layout.Layout;
import lenet5.model.Predictor;
import lenet5.tensor.Shape;
import lenet5.testing.DigitImages;
import lenet5.testing.TestFiles;
import lenet5.testing.TorchModels;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The MNIST-style preprocessing's ink threshold ({@link ImagePreprocessor#INK}) was chosen on the committed test
 * digits, which the accuracy tests of predict and the server also use. Here it meets digits it was not chosen on
 * (testdata/images/heldout-*, 2,000 other digits of the same MNIST package).
 */
class HeldOutDigitsTest {
    private static final int N = 1000;
    private static final ImagePreprocessor PRE = ImagePreprocessor.forInput(Shape.chw(1, 28, 28)).withMode(Preprocess.MNIST);

    /**
     * Model-free: each style's preprocessed image is as close to the MNIST digit it was made from on the held-out
     * digits as on the test digits (mean abs pixel difference within 10%, or 0.001 for the lossless styles, which
     * give back nearly the digit itself: a few rescaled digits make their difference); a threshold fitted to the
     * test digits would show here. Then the accuracy on held-out digits against PyTorch's on the same digits as IDX. These
     * are the models' training digits, which a model classifies by patterns it has memorized and which a
     * resampling disturbs more than it disturbs unseen digits, so the bound there is 1 point, not the 0.5 that
     * the test digits keep (PredictImagesTest, ServerAccuracyTest).
     */
    @Test
    void thePreprocessingIsAsFaithfulOnDigitsItsThresholdWasNotChosenOn() throws IOException {
        Idx.Images test = DigitImages.digits(), held = DigitImages.heldOut();
        int[] labels = DigitImages.heldOutLabels();
        byte[] torch = Files.readAllBytes(TestFiles.testdata().resolve("images/lenet5_tanh.heldout_predictions.u8"));
        int torchCorrect = 0;
        for (int i = 0; i < N; i++) {
            torchCorrect += torch[i] == labels[i] ? 1 : 0;
        }
        double idx = (double) torchCorrect / N;
        try (Predictor p = TorchModels.load("lenet5_tanh").newPredictor(Layout.NCHW)) {
            for (DigitImages style : DigitImages.values()) {
                double testDiff = 0, heldDiff = 0;
                int correct = 0;
                for (int i = 0; i < N; i++) {
                    testDiff += difference(PRE.apply(image(style, test, i)), test, i);
                    float[] x = PRE.apply(image(style, held, i));
                    heldDiff += difference(x, held, i);
                    correct += p.classify(x) == labels[i] ? 1 : 0;
                }
                double accuracy = (double) correct / N;
                System.out.printf(Locale.ROOT, "held-out %s: mean abs difference from the digit %.5f (test digits %.5f), "
                        + "accuracy %.4f (%d/%d), PyTorch on IDX %.4f%n", style, heldDiff / N, testDiff / N, accuracy, correct, N, idx);
                assertTrue(heldDiff <= testDiff * 1.1 + 0.001 * N, style + ": " + heldDiff / N + " vs " + testDiff / N + " on the test digits");
                assertTrue(accuracy >= idx - 0.01, style + ": " + accuracy + " vs IDX " + idx);
            }
        }
    }

    /** The style's image as a decoder returns it: PNGs are lossless (the rendering itself), JPEGs go through the codec. */
    private static BufferedImage image(DigitImages style, Idx.Images digits, int i) {
        return style.extension.equals("png") ? style.render(digits, i) : ImageDecoder.read(style.file(digits, i));
    }

    private static double difference(float[] x, Idx.Images digits, int i) {
        double d = 0;
        for (int k = 0; k < x.length; k++) {
            d += Math.abs(x[k] - (digits.pixels()[i * x.length + k] & 0xff) / 255f);
        }
        return d / x.length;
    }
}
