package lenet5.image;

/**
 * The model's input normalization, {@code (x - mean) / std}, applied to pixels in [0,1] (as
 * torchvision's {@code Normalize} after {@code ToTensor}). {@code 0.1307,0.3081} is the usual MNIST one.
 */
public record Normalization(float mean, float std) {
    /** Pixels in [0,1] unchanged. */
    public static final Normalization NONE = new Normalization(0f, 1f);
    /** Pixels as 0..255, for models trained on raw values. */
    public static final Normalization RAW_PIXELS = new Normalization(0f, 1f / 255f);

    public Normalization {
        if (!Float.isFinite(mean) || !Float.isFinite(std) || std == 0f) {
            throw new IllegalArgumentException("normalization needs a finite mean and a finite non-zero std, got "
                    + mean + "," + std);
        }
    }

    /** Parses {@code MEAN,STD}, e.g. {@code 0.1307,0.3081}. */
    public static Normalization parse(String text) {
        String[] p = text.split(",");
        if (p.length == 2) {
            try {
                return new Normalization(Float.parseFloat(p[0].trim()), Float.parseFloat(p[1].trim()));
            } catch (NumberFormatException e) {
                // fall through to the message below
            }
        }
        throw new IllegalArgumentException("expected MEAN,STD such as 0.1307,0.3081, got '" + text + "'");
    }

    /** Normalizes {@code len} values starting at {@code offset} in place. */
    public void apply(float[] values, int offset, int len) {
        if (mean == 0f && std == 1f) {
            return;
        }
        for (int i = offset; i < offset + len; i++) {
            values[i] = (values[i] - mean) / std;
        }
    }
}
