package lenet5.image;

import lenet5.InvalidInputException;
import lenet5.tensor.Shape;

import java.awt.image.BufferedImage;
import java.util.Objects;

/**
 * Turns a {@link BufferedImage} into one model input: {@code C x H x W} floats for a model whose
 * input shape is given. The image becomes one gray plane (see {@link Preprocess}), normalized, and
 * copied to every channel, so the result is the same in NCHW and NHWC. Immutable and thread-safe.
 *
 * <p>{@link Preprocess#MNIST} repeats how the MNIST digits were made from NIST's scans: the ink's
 * bounding box (pixels above {@value #INK} of the strongest ink) is scaled to fit a 20x20 box
 * keeping its aspect ratio, anti-aliased, then shifted by whole pixels so its centre of mass sits at
 * pixel (14, 14) of a 28x28 field (where the MNIST digits have it, 13.997/14.008 on average over the
 * committed test digits), and the field is centred in the model's input (padded by 2 for 32x32). For
 * inputs smaller than 28x28 the field is the input and the box shrinks in proportion.
 */
public final class ImagePreprocessor {
    /** Ink above this fraction of the strongest counts for the bounding box: less is anti-aliasing, blur or JPEG noise (0.1 lost 0.5 points on upscaled digits, 0.3 on JPEG ones). */
    static final float INK = 0.2f;
    private static final int FIELD = 28;
    private static final int BOX = 20;

    private final Shape input;
    private final Preprocess mode;
    private final Normalization normalization;

    private ImagePreprocessor(Shape input, Preprocess mode, Normalization normalization) {
        this.input = Objects.requireNonNull(input, "input");
        this.mode = Objects.requireNonNull(mode, "mode");
        this.normalization = Objects.requireNonNull(normalization, "normalization");
    }

    /**
     * MNIST-style preprocessing to pixels in [0,1] for a model with this input shape. A flat input of
     * a square number of features (e.g. 784 for an MLP) is taken as one square plane.
     */
    public static ImagePreprocessor forInput(Shape input) {
        if (input.flat()) {
            int side = (int) Math.round(Math.sqrt(input.channels()));
            if (side * side != input.channels()) {
                throw new InvalidInputException("the model takes " + input.channels() + " features, not an image");
            }
            input = Shape.chw(1, side, side);
        }
        return new ImagePreprocessor(input, Preprocess.MNIST, Normalization.NONE);
    }

    public ImagePreprocessor withMode(Preprocess newMode) {
        return new ImagePreprocessor(input, newMode, normalization);
    }

    public ImagePreprocessor withNormalization(Normalization newNormalization) {
        return new ImagePreprocessor(input, mode, newNormalization);
    }

    public Shape input() {
        return input;
    }

    public Preprocess mode() {
        return mode;
    }

    public Normalization normalization() {
        return normalization;
    }

    /** Values per image: {@code C x H x W}. */
    public int size() {
        return input.size();
    }

    /** One model input, {@code C x H x W} values. */
    public float[] apply(BufferedImage image) {
        float[] out = new float[size()];
        apply(image, out, 0);
        return out;
    }

    /** Writes one model input at {@code out[offset]}, {@code size()} values (for filling a batch). */
    public void apply(BufferedImage image, float[] out, int offset) {
        float[] plane = pixels(image);
        int hw = plane.length;
        for (int c = 0; c < input.channels(); c++) {
            System.arraycopy(plane, 0, out, offset + c * hw, hw);
            normalization.apply(out, offset + c * hw, hw);
        }
    }

    /** The preprocessed gray plane before normalization: {@code H x W} values in [0,1] (e.g. for a preview). */
    public float[] pixels(BufferedImage image) {
        Gray gray = Gray.luminance(image);
        int h = input.height(), w = input.width();
        return switch (mode) {
            case NONE -> {
                if (gray.width() != w || gray.height() != h) {
                    throw new InvalidInputException("the image is " + gray.width() + "x" + gray.height() + " pixels, the model takes "
                            + w + "x" + h + " (preprocess with mnist or resize to scale it)");
                }
                yield gray.v();
            }
            case RESIZE -> {
                Gray ink = gray.ink();
                yield Resample.resample(ink, ink.width() / 2.0, ink.height() / 2.0,
                        (double) w / ink.width(), (double) h / ink.height(), w, h);
            }
            case MNIST -> mnist(gray.ink(), w, h);
        };
    }

    private static float[] mnist(Gray ink, int w, int h) {
        int field = Math.min(FIELD, Math.min(w, h));
        int box = Math.max(1, Math.round((float) BOX * field / FIELD));
        float[] out = new float[w * h];
        // Bounding box of the ink, in pixel-edge coordinates [x0, x1) x [y0, y1).
        int x0 = ink.width(), y0 = ink.height(), x1 = 0, y1 = 0;
        float[] v = ink.v();
        for (int y = 0; y < ink.height(); y++) {
            for (int x = 0; x < ink.width(); x++) {
                if (v[y * ink.width() + x] > INK) {
                    x0 = Math.min(x0, x);
                    x1 = Math.max(x1, x + 1);
                    y0 = Math.min(y0, y);
                    y1 = Math.max(y1, y + 1);
                }
            }
        }
        if (x1 == 0) {
            return out; // no ink: a blank input
        }
        int bw = x1 - x0, bh = y1 - y0;
        double scale = (double) box / Math.max(bw, bh);
        int fw = Math.max(1, (int) Math.round(bw * scale)), fh = Math.max(1, (int) Math.round(bh * scale));
        float[] fitted = Resample.resample(ink, (x0 + x1) / 2.0, (y0 + y1) / 2.0, scale, scale, fw, fh);
        // Centre of mass in pixel-index coordinates, moved to the field's (14, 14) by a whole-pixel shift.
        double mass = 0, mx = 0, my = 0;
        for (int y = 0; y < fh; y++) {
            for (int x = 0; x < fw; x++) {
                float p = fitted[y * fw + x];
                mass += p;
                mx += p * x;
                my += p * y;
            }
        }
        double target = field / 2.0;
        int left = mass == 0 ? (field - fw) / 2 : (int) Math.round(target - mx / mass);
        int top = mass == 0 ? (field - fh) / 2 : (int) Math.round(target - my / mass);
        left += (w - field) / 2;
        top += (h - field) / 2;
        for (int y = 0; y < fh; y++) {
            int oy = y + top;
            if (oy < 0 || oy >= h) {
                continue;
            }
            for (int x = 0; x < fw; x++) {
                int ox = x + left;
                if (ox >= 0 && ox < w) {
                    out[oy * w + ox] = Math.min(1f, fitted[y * fw + x]);
                }
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return mode.name().toLowerCase(java.util.Locale.ROOT) + " to " + input
                + (normalization.equals(Normalization.NONE) ? "" : ", normalized " + normalization.mean() + "," + normalization.std());
    }
}
