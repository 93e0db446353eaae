package lenet5.kernels;

import java.util.Optional;

/**
 * The few loops where the time goes, in two implementations with the same contract:
 * {@link ScalarKernels} (plain Java shaped for HotSpot's auto-vectorizer) and
 * {@code VectorKernels} (the incubating Vector API). Everything else in the engine is shared.
 * <p>
 * The vector kernels are used only when the JVM was started with
 * {@code --add-modules jdk.incubator.vector}; {@code -Dlenet5.scalar=true} forces the scalar ones.
 */
abstract class Kernels {
    /** Output channels computed together by {@link #convTile}; weights are packed in blocks of this many. */
    static final int MR = 8;
    /** Lane counts given to {@link #convTile} are multiples of this. */
    static final int LANE_MULTIPLE = 16;

    private static final String VECTOR_MODULE = "jdk.incubator.vector";
    private static final String VECTOR_CLASS = "lenet5.kernels.VectorKernels";

    /** For reports: "vector-512", "scalar", ... */
    abstract String name();

    /** Activations {@link #convTile} applies itself; others run afterwards, see {@link Step#activate}. */
    static final int ACT_NONE = 0, ACT_TANH = 1, ACT_RELU = 2;

    /**
     * One tile of a convolution (or of a dense layer, whose "taps" are its inputs): for
     * {@code j < rows} and {@code x < lanes},
     * {@code dst[dOff + j*dStride + x] = act(bias[biasOff+j] + sum_t w[wOff + t*MR + j] * in[base + taps[t] + x])},
     * summed in tap order.
     *
     * @param rows  real output channels in this block, 1..MR
     * @param lanes a multiple of {@link #LANE_MULTIPLE}
     * @param ws    scratch (the scalar kernels accumulate in {@link Workspace#tmp})
     */
    abstract void convTile(float[] in, int base, int[] taps, int nTaps, float[] w, int wOff, float[] bias, int biasOff,
                           int rows, int lanes, int act, float[] dst, int dOff, int dStride, Workspace ws);

    /**
     * {@link #convTile} over {@code runs} runs of {@code lanes} lanes: run r reads its input from
     * {@code base + r * runStride} and writes lanes {@code r * lanes..} of each row (a convolution's
     * adjacent output rows in one call: the long loops the scalar kernels need).
     */
    void convTileRuns(float[] in, int base, int runStride, int runs, int[] taps, int nTaps, float[] w, int wOff, float[] bias,
                      int biasOff, int rows, int lanes, int act, float[] dst, int dOff, int dStride, Workspace ws) {
        for (int r = 0; r < runs; r++) {
            convTile(in, base + r * runStride, taps, nTaps, w, wOff, bias, biasOff, rows, lanes, act, dst, dOff + r * lanes, dStride, ws);
        }
    }

    /**
     * A batched convolution, activated by {@code act} and pooled 2x2 with stride 2: {@link #convTileRuns}
     * of two runs (the two conv rows of a row of windows, {@code lanes = pooledW * 2 * }{@link Plan#LANES}
     * each), then per channel j and window px, {@code dst[dOff + j*dStride + px*LANES + b]} is the max,
     * or {@code ((a + b) + c + d) * 0.25} (PyTorch's order), of the window's four activated values of image b.
     */
    void convPool2x2(float[] in, int base, int runStride, int[] taps, int nTaps, float[] w, int wOff, float[] bias, int biasOff,
                     int rows, int lanes, int act, boolean max, float[] dst, int dOff, int dStride, Workspace ws) {
        convTileRuns(in, base, runStride, 2, taps, nTaps, w, wOff, bias, biasOff, rows, lanes, ACT_NONE, ws.tile, 0, 2 * lanes, ws);
        activate(act, ws.tile, 0, rows * 2 * lanes);
        for (int px = 0; px < lanes / (2 * Plan.LANES); px++) {
            poolParts(ws.tile, px * 2 * Plan.LANES, 2, 2, lanes, 2 * lanes, rows, max, 0.25f, dst, dOff + px * Plan.LANES, dStride);
        }
    }

    /** In place, the activation {@code act} (one of the ACT_ codes). */
    final void activate(int act, float[] a, int off, int len) {
        if (act == ACT_TANH) {
            tanh(a, off, len);
        } else if (act == ACT_RELU) {
            relu(a, off, len);
        }
    }

    /**
     * {@link #convTile} for one image's "wide" positions (the per-image path), into the workspace's
     * tile of MR rows (kernels may fill rows past {@code rows} there), with {@code lanes} a
     * multiple of {@link #imageLaneMultiple}.
     */
    void convTileImage(float[] in, int base, int[] taps, int nTaps, float[] w, int wOff, float[] bias, int biasOff,
                       int rows, int lanes, int act, float[] dst, int dOff, int dStride, Workspace ws) {
        convTile(in, base, taps, nTaps, w, wOff, bias, biasOff, rows, lanes, act, dst, dOff, dStride, ws);
    }

    /**
     * Output channels one {@link #convTileImage} computes at most: whole blocks of MR, {@code wOff}
     * the first block's packed weights, the next blocks' following.
     */
    int imageRows() {
        return MR;
    }

    /**
     * What {@link #convTileImage}'s lane counts are rounded up to: the fewer lanes past the last real
     * position (LeNet's second convolution needs 136), the less work is dropped. At most {@link #LANE_MULTIPLE}.
     */
    int imageLaneMultiple() {
        return LANE_MULTIPLE;
    }

    /**
     * Output channels per vector of {@link #convPositions} (a channel block) for a kernel
     * {@code kernelW} wide, or 0 where the kernels have none for it: then every per-image
     * convolution runs {@link #convTileImage}.
     */
    int channelLanes(int kernelW) {
        return 0;
    }

    /**
     * One image's convolution with the channels as lanes, for {@code count} consecutive positions of
     * an output row: for {@code p < count} and {@code c < L = channelLanes(kernelW)},
     * {@code out[oOff + p*L + c] = act(bias[biasOff+c] + sum_t w[wOff + t*wStride + c] * in[base + p + taps[t]])},
     * summed as {@link #convTile} sums. No lanes are wasted on the positions past a row, which per
     * position ("wide") tiles of a short row compute and drop. The taps come in kernel rows of
     * {@code kernelW} consecutive inputs ({@code taps[t + i] = taps[t] + i} for {@code t} a multiple of
     * kernelW), the width {@link #channelLanes} was asked about.
     */
    void convPositions(float[] in, int base, int[] taps, int nTaps, float[] w, int wOff, int wStride, float[] bias, int biasOff,
                       int count, int act, float[] out, int oOff) {
        throw new UnsupportedOperationException(name());
    }

    /**
     * 2x2 stride-2 pooling of a {@link #convPositions} tile ({@code cols} positions a row, channel
     * vectors innermost), as {@link #poolImage2x2} sums, written CHW: channel c of pooled output
     * (py, px) to {@code dst[dOff + c*plane + py*pw + px]}; {@code tmp[tOff..]} holds the pooled tile.
     */
    void poolPositions2x2(float[] tile, int cols, int ph, int pw, boolean max, float[] tmp, int tOff, float[] dst, int dOff, int plane) {
        throw new UnsupportedOperationException(name());
    }

    /**
     * Pools windows of {@code ph x pw} positions of {@link Plan#LANES} images: the value of window
     * position (dy, dx), channel j, is at {@code tile[tOff + dy*dyStride + j*rowStride + dx*LANES]}.
     * {@code dst[dOff + j*dStride + x]} becomes their max, or their sum in row-major window order
     * (PyTorch's) times {@code scale}.
     */
    abstract void poolParts(float[] tile, int tOff, int ph, int pw, int dyStride, int rowStride, int rows, boolean max, float scale,
                            float[] dst, int dOff, int dStride);

    /**
     * 2x2 stride-2 pooling of one image's {@code channels} planes (the per-image path): output
     * (ch, oy, ox), written CHW from {@code dOff}, is the max or {@code ((a + b) + c + d) * 0.25}
     * (PyTorch's order; x0.25 equals /4 exactly) of the window whose top-left value is at
     * {@code src[sOff + ch*chStride + 2*oy*rowStride + 2*ox]}.
     */
    void poolImage2x2(float[] src, int sOff, int rowStride, int chStride, int channels, int outH, int outW, boolean max,
                      float[] dst, int dOff) {
        for (int ch = 0; ch < channels; ch++) {
            for (int oy = 0; oy < outH; oy++) {
                int r0 = sOff + ch * chStride + 2 * oy * rowStride;
                poolRow2x2(src, r0, r0 + rowStride, 0, outW, max, dst, dOff + (ch * outH + oy) * outW);
            }
        }
    }

    /** Outputs {@code ox0..ox1} of one row of {@link #poolImage2x2}, plain loops (C2 leaves the stride-2 reads scalar). */
    static void poolRow2x2(float[] src, int r0, int r1, int ox0, int ox1, boolean max, float[] dst, int d) {
        for (int ox = ox0; ox < ox1; ox++) {
            float a = src[r0 + 2 * ox], b = src[r0 + 2 * ox + 1], e = src[r1 + 2 * ox], f = src[r1 + 2 * ox + 1];
            dst[d + ox] = max ? Math.max(Math.max(a, b), Math.max(e, f)) : (a + b + e + f) * 0.25f;
        }
    }

    /**
     * For each image {@code b < count}: {@code y[b][o] = bias[o] + sum_i x[xOff + i*xStride + b] * wT[i][o]}
     * for {@code o < outP}, summed in input order and the same way for every image (one image alone
     * or in a chunk with {@code xStride = count = LANES}); {@code outP} is a multiple of {@link #LANE_MULTIPLE}.
     *
     * @param panels {@link #gemvPanels} of {@code wT}, for the kernels that read those instead
     */
    abstract void gemv(float[] x, int xOff, int xStride, int count, int n, float[][] wT, float[] panels, float[] bias, int outP,
                       Workspace ws);

    /** The transposed dense weights {@code wT[n][outP]} rearranged the way this {@link #gemv} streams them, or null. */
    float[] gemvPanels(float[][] wT, int outP) {
        return null;
    }

    /**
     * Whether batched dense layers should run through {@link #gemv} (a chunk's images at once):
     * C2 does not vectorize the 32-lane loops of the scalar {@link #convTile} well, the output loop
     * of gemv it does.
     */
    boolean denseByImage() {
        return false;
    }

    /** In place, {@link FastTanh} (within 5e-7 of {@code Math.tanh}). */
    abstract void tanh(float[] a, int off, int len);

    /** In place, {@code max(x, 0)}, NaN stays NaN. */
    abstract void relu(float[] a, int off, int len);

    static Kernels scalar() {
        return ScalarKernels.INSTANCE;
    }

    /** The Vector API kernels, if this JVM has the module. */
    static Optional<Kernels> vector() {
        if (ModuleLayer.boot().findModule(VECTOR_MODULE).isEmpty()) {
            return Optional.empty();
        }
        try {
            // Reflection only to keep the incubator classes unloaded when the module is absent.
            return Optional.of((Kernels) Class.forName(VECTOR_CLASS).getDeclaredConstructor().newInstance());
        } catch (ReflectiveOperationException | LinkageError e) {
            return Optional.empty();
        }
    }

    /** Vector kernels when available and not disabled by {@code -Dlenet5.scalar=true}. */
    static Kernels best() {
        return Holder.BEST;
    }

    private static final class Holder {
        static final Kernels BEST = Boolean.getBoolean("lenet5.scalar") ? scalar() : vector().orElse(scalar());
    }
}
