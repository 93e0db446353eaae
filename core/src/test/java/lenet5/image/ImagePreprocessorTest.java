package lenet5.image;

import lenet5.InvalidInputException;
import lenet5.io.Idx;
import lenet5.tensor.Shape;
import lenet5.testing.DigitImages;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The preprocessing itself; accuracy per image style is tested through predict (cli) and the server (serve). */
class ImagePreprocessorTest {
    private static final Shape MNIST = Shape.chw(1, 28, 28);

    @Test
    void anMnistDigitComesBackAlmostUnchanged() {
        Idx.Images digits = DigitImages.digits();
        ImagePreprocessor pre = ImagePreprocessor.forInput(MNIST).withMode(Preprocess.MNIST);
        double sum = 0;
        for (int i = 0; i < 200; i++) {
            float[] x = pre.apply(DigitImages.OFF_CENTRE.render(digits, i));
            float[] want = new float[784];
            for (int k = 0; k < 784; k++) {
                want[k] = (digits.pixels()[i * 784 + k] & 0xff) / 255f;
            }
            double d = 0;
            for (int k = 0; k < 784; k++) {
                d += Math.abs(x[k] - want[k]);
            }
            sum += d / 784;
        }
        System.out.printf(Locale.ROOT, "mean abs difference from the MNIST digit: %.4f%n", sum / 200);
        assertTrue(sum / 200 < 0.05, "mean abs difference " + sum / 200);
    }

    @Test
    void polarityAndPaddingFor32x32() {
        Idx.Images digits = DigitImages.digits();
        float[] white = ImagePreprocessor.forInput(MNIST).apply(DigitImages.OFF_CENTRE.render(digits, 7));
        float[] black = ImagePreprocessor.forInput(MNIST).apply(DigitImages.BLACK_ON_WHITE.render(digits, 7));
        float[] padded = ImagePreprocessor.forInput(Shape.chw(1, 32, 32)).apply(DigitImages.OFF_CENTRE.render(digits, 7));
        float[] inner = new float[784];
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                boolean border = y < 2 || y >= 30 || x < 2 || x >= 30;
                if (border) {
                    assertEquals(0f, padded[y * 32 + x]);
                } else {
                    inner[(y - 2) * 28 + x - 2] = padded[y * 32 + x];
                }
            }
        }
        assertArrayEquals(white, inner);
        float max = 0;
        for (int k = 0; k < 784; k++) {
            max = Math.max(max, Math.abs(white[k] - black[k]));
        }
        assertTrue(max < 0.02f, "white-on-black and black-on-white differ by " + max);
    }

    @Test
    void normalizationAndChannels() {
        BufferedImage img = DigitImages.BLACK_ON_WHITE.render(DigitImages.digits(), 3);
        float[] plain = ImagePreprocessor.forInput(MNIST).apply(img);
        float[] three = ImagePreprocessor.forInput(Shape.chw(3, 28, 28)).withNormalization(Normalization.parse("0.1307,0.3081")).apply(img);
        for (int c = 0; c < 3; c++) {
            for (int k = 0; k < 784; k++) {
                assertEquals((plain[k] - 0.1307f) / 0.3081f, three[c * 784 + k], 1e-6f);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> Normalization.parse("0.5"));
        assertThrows(IllegalArgumentException.class, () -> Normalization.parse("0.5,0"));
    }

    @Test
    void resizeAndNone() {
        Idx.Images digits = DigitImages.digits();
        float[] none = ImagePreprocessor.forInput(MNIST).withMode(Preprocess.NONE).apply(DigitImages.OFF_CENTRE.render(digits, 0).getSubimage(3, 66, 28, 28));
        for (int k = 0; k < 784; k++) {
            assertEquals((digits.pixels()[k] & 0xff) / 255f, none[k], 1e-6f);
        }
        // A page 4x the size, resized back: close to the digit (anti-aliased, not sampled).
        BufferedImage big = DigitImages.UPSCALED_MARGINS.render(digits, 0).getSubimage(40, 20, 112, 112);
        float[] resized = ImagePreprocessor.forInput(MNIST).withMode(Preprocess.RESIZE).apply(big);
        double d = 0;
        for (int k = 0; k < 784; k++) {
            d += Math.abs(resized[k] - (digits.pixels()[k] & 0xff) / 255f);
        }
        assertTrue(d / 784 < 0.03, "resize mean abs difference " + d / 784);
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> ImagePreprocessor.forInput(MNIST).withMode(Preprocess.NONE).apply(big));
        assertTrue(e.getMessage().contains("112x112"), e.getMessage());
    }

    @Test
    void blankImageIsAllBackground() {
        BufferedImage white = new BufferedImage(50, 40, BufferedImage.TYPE_INT_RGB);
        for (Preprocess mode : Preprocess.values()) {
            if (mode != Preprocess.NONE) {
                float[] x = ImagePreprocessor.forInput(MNIST).withMode(mode).apply(white);
                for (float v : x) {
                    assertEquals(0f, v);
                }
            }
        }
    }
}
