package lenet5.kernels;

/**
 * Plain Java. HotSpot C2 (JDK 17) vectorizes a loop only when every array in it is indexed by
 * the same expression, so each tap's input is first copied to a row of its own, and the tile is
 * accumulated in rows of its own over passes of five taps (longer bodies stop vectorizing).
 */
final class ScalarKernels extends Kernels {
    static final ScalarKernels INSTANCE = new ScalarKernels();
    private static final int PASS = 5;

    private ScalarKernels() {
    }

    @Override
    String name() {
        return "scalar";
    }

    @Override
    boolean denseByImage() {
        return true;
    }

    @Override
    void convTile(float[] in, int base, int[] taps, int nTaps, float[] w, int wOff, float[] bias, int biasOff,
                  int rows, int lanes, int act, float[] dst, int dOff, int dStride, Workspace ws) {
        float[][] tmp = ws.tmp, tile = tmp; // rows 0..MR-1 accumulate, rows MR.. hold the copied taps
        for (int j = 0; j < rows; j++) {
            java.util.Arrays.fill(tile[j], 0, lanes, bias[biasOff + j]);
        }
        float[] t0 = tmp[MR], t1 = tmp[MR + 1], t2 = tmp[MR + 2], t3 = tmp[MR + 3], t4 = tmp[MR + 4];
        int t = 0;
        for (; t + PASS <= nTaps; t += PASS) {
            System.arraycopy(in, base + taps[t], t0, 0, lanes);
            System.arraycopy(in, base + taps[t + 1], t1, 0, lanes);
            System.arraycopy(in, base + taps[t + 2], t2, 0, lanes);
            System.arraycopy(in, base + taps[t + 3], t3, 0, lanes);
            System.arraycopy(in, base + taps[t + 4], t4, 0, lanes);
            int k = wOff + t * MR;
            for (int j = 0; j < rows; j++, k++) {
                float w0 = w[k], w1 = w[k + MR], w2 = w[k + 2 * MR], w3 = w[k + 3 * MR], w4 = w[k + 4 * MR];
                float[] r = tile[j];
                for (int x = 0; x < lanes; x++) {
                    r[x] += w0 * t0[x] + w1 * t1[x] + w2 * t2[x] + w3 * t3[x] + w4 * t4[x];
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

    /** Sums in the same groups of five as {@link #convTile}, so one image gives the same bits batched or alone. */
    @Override
    void gemv(float[] x, int xOff, int n, float[][] wT, float[] bias, int outP, float[] y) {
        System.arraycopy(bias, 0, y, 0, outP);
        int i = 0;
        for (; i + PASS <= n; i += PASS) {
            float x0 = x[xOff + i], x1 = x[xOff + i + 1], x2 = x[xOff + i + 2], x3 = x[xOff + i + 3], x4 = x[xOff + i + 4];
            float[] r0 = wT[i], r1 = wT[i + 1], r2 = wT[i + 2], r3 = wT[i + 3], r4 = wT[i + 4];
            for (int o = 0; o < outP; o++) {
                y[o] += r0[o] * x0 + r1[o] * x1 + r2[o] * x2 + r3[o] * x3 + r4[o] * x4;
            }
        }
        for (; i < n; i++) {
            float x0 = x[xOff + i];
            float[] r0 = wT[i];
            for (int o = 0; o < outP; o++) {
                y[o] += r0[o] * x0;
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
