package lenet5.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.util.Arrays;

/** A one-channel image in [0,1], row-major: luminance, or ink after {@link #ink()}. */
record Gray(int width, int height, float[] v) {
    /** Pixels closer than this to the background's level count as background when looking for ink. */
    private static final float BLANK = 0.05f;

    /**
     * Luminance (ITU-R 601 weights on the stored sRGB values, as PIL's {@code convert("L")}). Gray images
     * are read from their samples at their own bit depth (ImageIO's gray colour space is linear, so
     * {@code getRGB} would change their values); everything else (palette, RGB, CMYK converted by the
     * reader) through {@code getRGB}. Transparent pixels are composited onto the background that
     * contrasts with the opaque ones, so black strokes on a transparent canvas stay visible (and so do
     * white ones).
     */
    static Gray luminance(BufferedImage img) {
        int w = img.getWidth(), h = img.getHeight();
        float[] v = new float[Math.multiplyExact(w, h)];
        ColorModel cm = img.getColorModel();
        float[] alpha = cm.hasAlpha() ? new float[v.length] : null;
        if (cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY && !(cm instanceof IndexColorModel)) {
            Raster r = img.getRaster();
            float max = (float) ((1L << cm.getComponentSize(0)) - 1);
            float amax = alpha == null ? 1f : (float) ((1L << cm.getComponentSize(1)) - 1);
            float[] row = new float[w];
            for (int y = 0; y < h; y++) {
                r.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    v[y * w + x] = Math.min(1f, row[x] / max);
                }
                if (alpha != null) {
                    r.getSamples(0, y, w, 1, 1, row);
                    for (int x = 0; x < w; x++) {
                        alpha[y * w + x] = Math.min(1f, row[x] / amax);
                    }
                }
            }
        } else {
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                img.getRGB(0, y, w, 1, row, 0, w);
                for (int x = 0; x < w; x++) {
                    int p = row[x];
                    v[y * w + x] = (0.299f * ((p >> 16) & 0xff) + 0.587f * ((p >> 8) & 0xff) + 0.114f * (p & 0xff)) / 255f;
                    if (alpha != null) {
                        alpha[y * w + x] = (p >>> 24) / 255f;
                    }
                }
            }
        }
        if (alpha != null) {
            composite(v, alpha);
        }
        return new Gray(w, h, v);
    }

    private static void composite(float[] v, float[] alpha) {
        double sum = 0, weight = 0;
        for (int i = 0; i < v.length; i++) {
            sum += alpha[i] * v[i];
            weight += alpha[i];
        }
        if (weight >= v.length - 0.5) {
            return; // opaque everywhere
        }
        float background = weight == 0 || sum / weight < 0.5 ? 1f : 0f;
        for (int i = 0; i < v.length; i++) {
            v[i] = alpha[i] * v[i] + (1 - alpha[i]) * background;
        }
    }

    /**
     * Ink in [0,1] on a background of 0, as MNIST has it: the background's level is the median of the
     * border pixels; a light background is inverted; the range from background to the strongest ink is
     * stretched to [0,1]. An image without contrast is all background (zeros).
     */
    Gray ink() {
        float background = borderMedian();
        boolean invert = background > 0.5f;
        float bg = invert ? 1 - background : background;
        float max = 0;
        float[] ink = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            ink[i] = invert ? 1 - v[i] : v[i];
            max = Math.max(max, ink[i]);
        }
        float range = max - bg;
        if (range < BLANK) {
            Arrays.fill(ink, 0f);
            return new Gray(width, height, ink);
        }
        for (int i = 0; i < ink.length; i++) {
            ink[i] = Math.max(0f, (ink[i] - bg) / range);
        }
        return new Gray(width, height, ink);
    }

    private float borderMedian() {
        int n = width == 1 || height == 1 ? v.length : 2 * (width + height) - 4;
        float[] b = new float[n];
        int k = 0;
        for (int x = 0; x < width; x++) {
            b[k++] = v[x];
            if (height > 1) {
                b[k++] = v[(height - 1) * width + x];
            }
        }
        for (int y = 1; y < height - 1; y++) {
            b[k++] = v[y * width];
            if (width > 1) {
                b[k++] = v[y * width + width - 1];
            }
        }
        Arrays.sort(b, 0, k);
        return b[k / 2];
    }
}
