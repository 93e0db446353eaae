package lenet5.layout;

/** How a batch of images is laid out in a flat float array. */
public enum Layout {
    /** PyTorch: batch, channels, height, width. The engine's canonical layout. */
    NCHW,
    /** Keras/TensorFlow: batch, height, width, channels. */
    NHWC;

    public static Layout parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("layout must be nchw or nhwc, got '" + s + "'");
        }
    }
}
