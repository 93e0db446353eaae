package lenet5.kernels;

/**
 * Plain Java. HotSpot C2 (JDK 17) vectorizes a loop only when every array in it is indexed by
 * the same expression, so each tap's input is first copied to a row of its own, and the tile is
 * accumulated in rows of its own, two output rows per loop over passes of three taps: the two rows
 * share the tap loads (measured 15-20% faster than one row over five taps; longer bodies stop
 * vectorizing).
 */
final class ScalarKernels extends Kernels {
    static final ScalarKernels INSTANCE = new ScalarKernels();
    /** Taps per pass of {@link #convTile}, inputs per pass of {@link #gemv}. */
    private static final int PASS = 3, GEMV_PASS = 5;
    /**
     * Per image, two output rows per loop or one (the same sums either way): on JDK 25 the
     * per-image path ran ~1.9x faster with one row (whole model, batch 1, alternating runs) while
     * batched tiles stayed faster with pairs, as on JDK 17. JDKs 18-24 are unmeasured and keep pairs.
     */
    private static final boolean IMAGE_PAIRS = Runtime.version().feature() < 25;

    private ScalarKernels() {
    }

    @Override
    String name() {
        return "scalar";
    }

    /** Plain loops take any count. */
    @Override
    int imageLaneMultiple() {
        return 1;
    }

    @Override
    boolean denseByImage() {
        return true;
    }

    @Override
    void convTile(float[] in, int base, int[] taps, int nTaps, float[] w, int wOff, float[] bias, int biasOff,
                  int rows, int lanes, int act, float[] dst, int dOff, int dStride, Workspace ws) {
        tile(in, base, taps, nTaps, w, wOff, bias, biasOff, rows, lanes, act, dst, dOff, dStride, ws, true);
    }

    @Override
    void convTileImage(float[] in, int base, int[] taps, int nTaps, float[] w, int wOff, float[] bias, int biasOff,
                       int rows, int lanes, int act, float[] dst, int dOff, int dStride, Workspace ws) {
        tile(in, base, taps, nTaps, w, wOff, bias, biasOff, rows, lanes, act, dst, dOff, dStride, ws, IMAGE_PAIRS);
    }

    private void tile(float[] in, int base, int[] taps, int nTaps, float[] w, int wOff, float[] bias, int biasOff,
                      int rows, int lanes, int act, float[] dst, int dOff, int dStride, Workspace ws, boolean pairs) {
        float[][] tmp = ws.tmp, tile = tmp; // rows 0..MR-1 accumulate, rows MR.. hold the copied taps
        for (int j = 0; j < rows; j++) {
            java.util.Arrays.fill(tile[j], 0, lanes, bias[biasOff + j]);
        }
        float[] t0 = tmp[MR], t1 = tmp[MR + 1], t2 = tmp[MR + 2];
        int t = 0;
        for (; t + PASS <= nTaps; t += PASS) {
            System.arraycopy(in, base + taps[t], t0, 0, lanes);
            System.arraycopy(in, base + taps[t + 1], t1, 0, lanes);
            System.arraycopy(in, base + taps[t + 2], t2, 0, lanes);
            int k = wOff + t * MR, j = 0;
            for (; pairs && j + 2 <= rows; j += 2, k += 2) {
                float a0 = w[k], a1 = w[k + MR], a2 = w[k + 2 * MR];
                float b0 = w[k + 1], b1 = w[k + 1 + MR], b2 = w[k + 1 + 2 * MR];
                float[] r = tile[j], q = tile[j + 1];
                for (int x = 0; x < lanes; x++) {
                    float u0 = t0[x], u1 = t1[x], u2 = t2[x];
                    r[x] += a0 * u0 + a1 * u1 + a2 * u2;
                    q[x] += b0 * u0 + b1 * u1 + b2 * u2;
                }
            }
            for (; j < rows; j++, k++) {
                float a0 = w[k], a1 = w[k + MR], a2 = w[k + 2 * MR];
                float[] r = tile[j];
                for (int x = 0; x < lanes; x++) {
                    r[x] += a0 * t0[x] + a1 * t1[x] + a2 * t2[x];
                }
            }
        }
        for (; t < nTaps; t++) {
            System.arraycopy(in, base + taps[t], t0, 0, lanes);
            int k = wOff + t * MR;
            for (int j = 0; j < rows; j++, k++) {
                float w0 = w[k];
                float[] r = tile[j];
                for (int x = 0; x < lanes; x++) {
                    r[x] += w0 * t0[x];
                }
            }
        }
        for (int j = 0; j < rows; j++) {
            float[] r = tile[j];
            if (act == ACT_TANH) {
                tanh(r, 0, lanes);
            } else if (act == ACT_RELU) {
                relu(r, 0, lanes);
            }
            System.arraycopy(r, 0, dst, dOff + j * dStride, lanes);
        }
    }

    @Override
    void poolParts(float[] tile, int tOff, int ph, int pw, int dyStride, int rowStride, int rows, boolean max, float scale,
                   float[] dst, int dOff, int dStride) {
        int lanes = Plan.LANES;
        if (ph == 2 && pw == 2) {
            pool2x2(tile, tOff, dyStride, rowStride, rows, max, scale, dst, dOff, dStride);
            return;
        }
        for (int j = 0; j < rows; j++) {
            int d = dOff + j * dStride;
            System.arraycopy(tile, tOff + j * rowStride, dst, d, lanes);
            for (int p = 1; p < ph * pw; p++) {
                int t = tOff + (p / pw) * dyStride + j * rowStride + (p % pw) * lanes;
                for (int x = 0; x < lanes; x++) {
                    dst[d + x] = max ? Math.max(dst[d + x], tile[t + x]) : dst[d + x] + tile[t + x];
                }
            }
            if (!max) {
                for (int x = 0; x < lanes; x++) {
                    dst[d + x] *= scale;
                }
            }
        }
    }

    /**
     * The common 2x2 window read once, no partial sums stored: ((a + b) + c) + d, PyTorch's order, as
     * above (measured 2x faster for average pools, 1.6x for max pools; C2 still leaves it scalar).
     */
    private static void pool2x2(float[] tile, int tOff, int dyStride, int rowStride, int rows, boolean max, float scale,
                                float[] dst, int dOff, int dStride) {
        final int lanes = Plan.LANES;
        for (int j = 0; j < rows; j++) {
            int d = dOff + j * dStride, t = tOff + j * rowStride, u = t + dyStride;
            if (max) {
                for (int x = 0; x < lanes; x++) {
                    dst[d + x] = Math.max(Math.max(Math.max(tile[t + x], tile[t + lanes + x]), tile[u + x]), tile[u + lanes + x]);
                }
            } else {
                for (int x = 0; x < lanes; x++) {
                    dst[d + x] = (tile[t + x] + tile[t + lanes + x] + tile[u + x] + tile[u + lanes + x]) * scale;
                }
            }
        }
    }

    /**
     * Passes of five inputs, each over all the images: the five weight rows stay in L1 while every
     * image's outputs take them (image by image, the whole matrix streamed from L2 for each image).
     */
    @Override
    void gemv(float[] x, int xOff, int xStride, int count, int n, float[][] wT, float[] panels, float[] bias, int outP,
                     float[][] y) {
        for (int b = 0; b < count; b++) {
            System.arraycopy(bias, 0, y[b], 0, outP);
        }
        int i = 0;
        for (; i + GEMV_PASS <= n; i += GEMV_PASS) {
            float[] r0 = wT[i], r1 = wT[i + 1], r2 = wT[i + 2], r3 = wT[i + 3], r4 = wT[i + 4];
            for (int b = 0, xi = xOff + i * xStride; b < count; b++, xi++) {
                float x0 = x[xi], x1 = x[xi + xStride], x2 = x[xi + 2 * xStride], x3 = x[xi + 3 * xStride], x4 = x[xi + 4 * xStride];
                float[] yb = y[b];
                for (int o = 0; o < outP; o++) {
                    yb[o] += r0[o] * x0 + r1[o] * x1 + r2[o] * x2 + r3[o] * x3 + r4[o] * x4;
                }
            }
        }
        for (; i < n; i++) {
            float[] r0 = wT[i];
            for (int b = 0; b < count; b++) {
                float x0 = x[xOff + i * xStride + b];
                float[] yb = y[b];
                for (int o = 0; o < outP; o++) {
                    yb[o] += r0[o] * x0;
                }
            }
        }
    }

    @Override
    void tanh(float[] a, int off, int len) {
        for (int i = off; i < off + len; i++) {
            a[i] = FastTanh.of(a[i]);
        }
    }

    @Override
    void relu(float[] a, int off, int len) {
        for (int i = off; i < off + len; i++) {
            a[i] = Math.max(a[i], 0f);
        }
    }
}
