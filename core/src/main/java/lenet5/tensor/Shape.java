package lenet5.tensor;

/**
 * The shape of one sample between layers, without the batch dimension: a feature map
 * {@code (channels, height, width)} or, after Flatten, a flat vector of {@code features}
 * (stored as {@code (features, 1, 1)} with {@code flat = true}).
 */
public record Shape(int channels, int height, int width, boolean flat) {
    public Shape {
        if (channels <= 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException("shape dimensions must be positive: " + channels + "x" + height + "x" + width);
        }
        if (flat && (height != 1 || width != 1)) {
            throw new IllegalArgumentException("a flat shape has height and width 1");
        }
    }

    public static Shape chw(int channels, int height, int width) {
        return new Shape(channels, height, width, false);
    }

    public static Shape flat(int features) {
        return new Shape(features, 1, 1, true);
    }

    /** Values per sample. */
    public int size() {
        return Math.multiplyExact(Math.multiplyExact(channels, height), width);
    }

    /** Parses {@code 1x28x28} (C x H x W) or a single number of features. */
    public static Shape parse(String text) {
        String[] p = text.trim().toLowerCase().split("[x,]");
        try {
            if (p.length == 1) {
                return flat(Integer.parseInt(p[0].trim()));
            }
            if (p.length == 3) {
                return chw(Integer.parseInt(p[0].trim()), Integer.parseInt(p[1].trim()), Integer.parseInt(p[2].trim()));
            }
        } catch (NumberFormatException e) {
            // fall through to the message below
        }
        throw new IllegalArgumentException("expected CxHxW such as 1x28x28, got '" + text + "'");
    }

    @Override
    public String toString() {
        return flat ? Integer.toString(channels) : channels + "x" + height + "x" + width;
    }
}
