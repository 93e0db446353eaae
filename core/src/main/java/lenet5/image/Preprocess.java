package lenet5.image;

import java.util.Locale;

/** How an image becomes a model input; see {@link ImagePreprocessor}. */
public enum Preprocess {
    /**
     * The way the MNIST digits were made: luminance, dark-on-light inverted, cropped to the ink,
     * scaled (anti-aliased, aspect kept) into a 20x20 box, placed in 28x28 by its centre of mass,
     * padded to the model's size (e.g. 32x32).
     */
    MNIST,
    /** Luminance, dark-on-light inverted, the whole image scaled (anti-aliased) to the model's size. */
    RESIZE,
    /** Luminance as it is; the image must already have the model's size. */
    NONE;

    public static Preprocess parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("preprocessing must be mnist, resize or none, got '" + s + "'");
        }
    }
}
