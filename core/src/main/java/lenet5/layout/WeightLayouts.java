package lenet5.layout;

import lenet5.tensor.Shape;
import lenet5.tensor.Tensor;

/**
 * The conversions between the PyTorch and Keras conventions, in one place and tested. The
 * engine's canonical form is PyTorch's; every Keras reader and writer goes through here.
 *
 * <pre>
 *                   PyTorch (canonical)        Keras
 * conv kernel       (out, in, kh, kw)          (kh, kw, in, out)
 * dense kernel      (out, in)                  (in, out)
 * activations       N, C, H, W                 N, H, W, C
 * Flatten order     C, H, W                    H, W, C
 * </pre>
 */
public final class WeightLayouts {
    private WeightLayouts() {
    }

    /** Keras conv kernel (kh, kw, in, out) to canonical (out, in, kh, kw). */
    public static Tensor convFromKeras(Tensor k) {
        requireRank(k, 4, "Keras conv kernel");
        return k.permute(3, 2, 0, 1);
    }

    /** Canonical conv weight (out, in, kh, kw) to Keras (kh, kw, in, out). */
    public static Tensor convToKeras(Tensor w) {
        requireRank(w, 4, "conv weight");
        return w.permute(2, 3, 1, 0);
    }

    /**
     * Keras 1 Theano-ordered kernel (out, in, kh, kw) to canonical. Theano's conv2d is a true
     * convolution, so the kernel is flipped 180 degrees to make it a cross-correlation.
     */
    public static Tensor convFromTheano(Tensor k) {
        requireRank(k, 4, "Theano conv kernel");
        return flip180(k);
    }

    /** Reverses the last two axes of an (out, in, kh, kw) kernel. */
    public static Tensor flip180(Tensor w) {
        int o = w.dim(0), i = w.dim(1), kh = w.dim(2), kw = w.dim(3);
        float[] src = w.data();
        float[] dst = new float[src.length];
        int plane = kh * kw;
        for (int p = 0; p < o * i; p++) {
            for (int y = 0; y < kh; y++) {
                for (int x = 0; x < kw; x++) {
                    dst[p * plane + y * kw + x] = src[p * plane + (kh - 1 - y) * kw + (kw - 1 - x)];
                }
            }
        }
        return Tensor.of(dst, o, i, kh, kw);
    }

    /** Keras dense kernel (in, out) to canonical (out, in). */
    public static Tensor denseFromKeras(Tensor k) {
        requireRank(k, 2, "Keras dense kernel");
        return k.permute(1, 0);
    }

    /** Canonical dense weight (out, in) to Keras (in, out). */
    public static Tensor denseToKeras(Tensor w) {
        requireRank(w, 2, "dense weight");
        return w.permute(1, 0);
    }

    /**
     * Reorders the input columns of a canonical (out, in) dense weight that follows a Keras
     * Flatten of {@code map} (features in H,W,C order) so that it reads a canonical (C,H,W) flatten.
     * A no-op when the map is 1x1 or the input is already flat.
     */
    public static Tensor denseColumnsFromHwc(Tensor w, Shape map) {
        return permuteColumns(w, map, true);
    }

    /** The inverse of {@link #denseColumnsFromHwc}: columns in (C,H,W) order to (H,W,C) order. */
    public static Tensor denseColumnsToHwc(Tensor w, Shape map) {
        return permuteColumns(w, map, false);
    }

    /** A per-feature vector (a BatchNorm's after a Keras Flatten of {@code map}) from (H,W,C) to (C,H,W) order. */
    public static Tensor featuresFromHwc(Tensor v, Shape map) {
        return Tensor.of(permuteColumns(Tensor.of(v.data(), 1, v.size()), map, true).data(), v.size());
    }

    /** The inverse of {@link #featuresFromHwc}. */
    public static Tensor featuresToHwc(Tensor v, Shape map) {
        return Tensor.of(permuteColumns(Tensor.of(v.data(), 1, v.size()), map, false).data(), v.size());
    }

    private static Tensor permuteColumns(Tensor w, Shape map, boolean fromHwc) {
        requireRank(w, 2, "dense weight");
        int c = map.channels(), h = map.height(), wd = map.width();
        if (map.flat() || h * wd == 1) {
            return w;
        }
        int out = w.dim(0), in = w.dim(1);
        if (in != c * h * wd) {
            throw new IllegalArgumentException("dense weight has " + in + " inputs, map " + map + " has " + c * h * wd);
        }
        float[] src = w.data();
        float[] dst = new float[src.length];
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < wd; x++) {
                    int chw = (ch * h + y) * wd + x;
                    int hwc = (y * wd + x) * c + ch;
                    int from = fromHwc ? hwc : chw;
                    int to = fromHwc ? chw : hwc;
                    for (int r = 0; r < out; r++) {
                        dst[r * in + to] = src[r * in + from];
                    }
                }
            }
        }
        return Tensor.of(dst, out, in);
    }

    /** A batch of activations from NHWC to NCHW. For flat (N, F) data this is a copy. */
    public static float[] nhwcToNchw(float[] src, int n, Shape s) {
        return transposed(src, n, s, true);
    }

    /** A batch of activations from NCHW to NHWC. */
    public static float[] nchwToNhwc(float[] src, int n, Shape s) {
        return transposed(src, n, s, false);
    }

    /** Allocation-free form of {@link #nhwcToNchw}: converts {@code n} samples into {@code dst}. */
    public static void nhwcToNchw(float[] src, int srcOff, float[] dst, int dstOff, int n, Shape s) {
        transpose(src, srcOff, dst, dstOff, n, s, true);
    }

    private static float[] transposed(float[] src, int n, Shape s, boolean toNchw) {
        if ((long) n * s.size() != src.length) {
            throw new IllegalArgumentException(src.length + " values are not " + n + " samples of " + s);
        }
        float[] dst = new float[src.length];
        transpose(src, 0, dst, 0, n, s, toNchw);
        return dst;
    }

    private static void transpose(float[] src, int srcOff, float[] dst, int dstOff, int n, Shape s, boolean toNchw) {
        int c = s.channels(), hw = s.height() * s.width(), size = c * hw;
        for (int b = 0; b < n; b++) {
            int base = b * size;
            for (int p = 0; p < hw; p++) {
                for (int ch = 0; ch < c; ch++) {
                    int chw = base + ch * hw + p, hwc = base + p * c + ch;
                    if (toNchw) {
                        dst[dstOff + chw] = src[srcOff + hwc];
                    } else {
                        dst[dstOff + hwc] = src[srcOff + chw];
                    }
                }
            }
        }
    }

    private static void requireRank(Tensor t, int rank, String what) {
        if (t.rank() != rank) {
            throw new IllegalArgumentException(what + " must have rank " + rank + ", got " + t);
        }
    }
}
