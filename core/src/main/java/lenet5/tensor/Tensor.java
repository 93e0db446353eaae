package lenet5.tensor;

import java.util.Arrays;

/**
 * A dense, row-major (C order) float32 array with a shape. Immutable by convention: the
 * constructors copy nothing, so code that builds a tensor hands over its array and never
 * touches it again; {@link #data()} returns the backing array for speed and must be treated
 * as read-only.
 */
public final class Tensor {
    private final int[] shape;
    private final float[] data;

    private Tensor(int[] shape, float[] data) {
        this.shape = shape;
        this.data = data;
    }

    /** Wraps {@code data} (not copied) as a tensor of the given shape. */
    public static Tensor of(float[] data, int... shape) {
        long n = numel(shape);
        if (n != data.length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " needs " + n + " values, got " + data.length);
        }
        return new Tensor(shape.clone(), data);
    }

    /** A tensor of zeros (a placeholder for weights bound later), refused beyond {@link lenet5.Budget#MAX_PARAMETERS} before allocating. */
    public static Tensor zeros(int... shape) {
        long n = numel(shape);
        if (n > lenet5.Budget.MAX_PARAMETERS) {
            throw new lenet5.UnsupportedFormatException(String.format("a weight of shape %s has %s elements, over the budget of %,d parameters",
                    Arrays.toString(shape), n == Long.MAX_VALUE ? "more than 2^31" : String.format("%,d", n), lenet5.Budget.MAX_PARAMETERS));
        }
        return new Tensor(shape.clone(), new float[(int) n]);
    }

    /** A vector of {@code n} copies of {@code value}. */
    public static Tensor full(float value, int n) {
        Tensor t = zeros(n);
        Arrays.fill(t.data, value);
        return t;
    }

    /** Number of elements of a shape, checked for negative dimensions; long so callers can check before allocating. */
    public static long numel(int... shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            }
            n *= d;
            if (n > Integer.MAX_VALUE) {
                return Long.MAX_VALUE;
            }
        }
        return n;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int dim(int i) {
        return shape[i < 0 ? shape.length + i : i];
    }

    public int rank() {
        return shape.length;
    }

    public int size() {
        return data.length;
    }

    /** The backing array. Read-only by contract. */
    public float[] data() {
        return data;
    }

    public boolean hasShape(int... expected) {
        return Arrays.equals(shape, expected);
    }

    /** Same values, new shape with the same number of elements. */
    public Tensor reshape(int... newShape) {
        return of(data, newShape);
    }

    /**
     * Permutes axes, like numpy's {@code transpose(axes)}: result axis {@code i} is source axis
     * {@code axes[i]}.
     */
    public Tensor permute(int... axes) {
        int r = shape.length;
        if (axes.length != r) {
            throw new IllegalArgumentException("permute needs " + r + " axes, got " + axes.length);
        }
        int[] newShape = new int[r];
        int[] srcStride = strides(shape);
        int[] stride = new int[r];
        boolean[] seen = new boolean[r];
        for (int i = 0; i < r; i++) {
            if (axes[i] < 0 || axes[i] >= r || seen[axes[i]]) {
                throw new IllegalArgumentException("bad permutation " + Arrays.toString(axes));
            }
            seen[axes[i]] = true;
            newShape[i] = shape[axes[i]];
            stride[i] = srcStride[axes[i]];
        }
        float[] out = new float[data.length];
        int[] idx = new int[r];
        for (int o = 0; o < out.length; o++) {
            int src = 0;
            for (int k = 0; k < r; k++) {
                src += idx[k] * stride[k];
            }
            out[o] = data[src];
            for (int k = r - 1; k >= 0; k--) {
                if (++idx[k] < newShape[k]) {
                    break;
                }
                idx[k] = 0;
            }
        }
        return new Tensor(newShape, out);
    }

    /** Row-major strides of a shape, in elements. */
    public static int[] strides(int[] shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    /** Bit-for-bit equality of shape and values (NaNs with the same bits compare equal). */
    public boolean bitEquals(Tensor other) {
        if (!Arrays.equals(shape, other.shape)) {
            return false;
        }
        for (int i = 0; i < data.length; i++) {
            if (Float.floatToRawIntBits(data[i]) != Float.floatToRawIntBits(other.data[i])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape);
    }
}
