package lenet5.layers;

/** Zero padding on each side of a feature map, in pixels. PyTorch pads symmetrically; Keras 'same' may not. */
public record Padding(int top, int bottom, int left, int right) {
    public static final Padding NONE = new Padding(0, 0, 0, 0);

    public Padding {
        if (top < 0 || bottom < 0 || left < 0 || right < 0) {
            throw new IllegalArgumentException("negative padding");
        }
    }

    public static Padding symmetric(int vertical, int horizontal) {
        return new Padding(vertical, vertical, horizontal, horizontal);
    }

    /**
     * TensorFlow/Keras {@code padding='same'}: output size {@code ceil(in / stride)}, with the
     * odd pixel of the total padding at the bottom/right.
     */
    public static Padding same(int inH, int inW, int kh, int kw, int sh, int sw) {
        int th = total(inH, kh, sh);
        int tw = total(inW, kw, sw);
        return new Padding(th / 2, th - th / 2, tw / 2, tw - tw / 2);
    }

    /** Total 'same' padding along one axis, exactly; at most the kernel size. */
    private static int total(int in, int k, int s) {
        return (int) Math.max(Math.min((ceilDiv(in, s) - 1L) * s + k - in, k), 0);
    }

    public boolean isSymmetric() {
        return top == bottom && left == right;
    }

    public boolean isZero() {
        return top == 0 && bottom == 0 && left == 0 && right == 0;
    }

    private static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }

    @Override
    public String toString() {
        return isSymmetric() ? (top == left ? Integer.toString(top) : "(" + top + "," + left + ")")
                : "(t" + top + ",b" + bottom + ",l" + left + ",r" + right + ")";
    }
}
