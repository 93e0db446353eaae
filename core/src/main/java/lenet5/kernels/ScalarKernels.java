package lenet5.kernels;

/**
 * Plain Java. HotSpot C2 (JDK 17) vectorizes a loop only when every array in it is indexed by
 * the same expression (constant offsets of whole vectors aside), so each tap's input is first
 * copied to a row of its own, and the tile is accumulated in rows of its own, two output rows per
 * loop over passes of three taps: the two rows share the tap loads (measured 15-20% faster than one
 * row over five taps; longer bodies stop vectorizing). The batched dense loop lives in a method of
 * its own: C2 stopped vectorizing it when the same method's profile also held the one-image loop.
 */
final class ScalarKernels extends Kernels {
    static final ScalarKernels INSTANCE = new ScalarKernels();
    /** Taps per pass of {@link #convTile}, inputs per pass of {@link #gemv}. */
    private static final int PASS = 3;
    /** Accumulator rows of {@link Workspace#tmp} ({@link #imageRows}); the copied taps or weights follow. */
    private static final int TAPS = 2 * MR;
    /**
     * Two output rows per loop or one (the same sums either way). C2 25 leaves the conv tiles' pair
     * loop scalar (8-9 multiply-adds/ns in isolation, one row 50; C2 17: pairs 60): on JDK 25 the
     * per-image path ran ~1.9x faster with one row, and batched tiles over two conv rows ~2.3x at batch 32
     * (alternating runs). JDKs 18-24 are unmeasured and keep pairs.
     */
    private static final boolean PAIRS = Runtime.version().feature() < 25;

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

    /**
     * Two blocks per image tile: each tap copied once serves 16 channels (LeNet-5's second
     * convolution copies its 150 taps once instead of twice; JMH batch 1, 8 forks: 54-56k images/s
     * against 42-52k).
     */
    @Override
    int imageRows() {
        return TAPS;
    }

    @Override
    boolean denseByImage() {
        return true;
    }

    @Override
    void convTile(float[] in, int base, int[] taps, int nTaps, float[] w, int wOff, float[] bias, int biasOff,
                  int rows, int lanes, int act, float[] dst, int dOff, int dStride, Workspace ws) {
        tile(in, base, 0, 1, taps, nTaps, w, wOff, bias, biasOff, rows, lanes, act, dst, dOff, dStride, ws, PAIRS, NO_POOL);
    }

    /** One loop over all the runs: C2's scalar pre and post loops amortize over longer loops (measured 1.02x at batch 256, 1.04x at 32 on Zen 5). */
    @Override
    void convTileRuns(float[] in, int base, int runStride, int runs, int[] taps, int nTaps, float[] w, int wOff, float[] bias,
                      int biasOff, int rows, int lanes, int act, float[] dst, int dOff, int dStride, Workspace ws) {
        tile(in, base, runStride, runs, taps, nTaps, w, wOff, bias, biasOff, rows, lanes, act, dst, dOff, dStride, ws, PAIRS, NO_POOL);
    }

    /**
     * The pooled rows stay in the accumulators: their pooling loops then index every array alike,
     * which C2 17 needs to vectorize them (the general {@link #poolParts} stays scalar).
     */
    @Override
    void convPool2x2(float[] in, int base, int runStride, int[] taps, int nTaps, float[] w, int wOff, float[] bias, int biasOff,
                     int rows, int lanes, int act, boolean max, float[] dst, int dOff, int dStride, Workspace ws) {
        tile(in, base, runStride, 2, taps, nTaps, w, wOff, bias, biasOff, rows, lanes, act, dst, dOff, dStride, ws, PAIRS,
                max ? MAX_POOL : AVG_POOL);
    }

    private static final int NO_POOL = 0, AVG_POOL = 1, MAX_POOL = 2;

    /** {@link #convTileRuns}, or with a pool {@link #convPool2x2}; {@code lanes} per run on entry, then all of them. */
    private void tile(float[] in, int base, int runStride, int runs, int[] taps, int nTaps, float[] w, int wOff, float[] bias,
                      int biasOff, int rows, int runLanes, int act, float[] dst, int dOff, int dStride, Workspace ws, boolean pairs,
                      int pool) {
        int lanes = runs * runLanes;
        float[][] tmp = ws.tmp, tile = tmp; // rows 0..TAPS-1 accumulate, rows TAPS.. hold the copied taps
        for (int j = 0; j < rows; j++) {
            java.util.Arrays.fill(tile[j], 0, lanes, bias[biasOff + j]);
        }
        float[] t0 = tmp[TAPS], t1 = tmp[TAPS + 1], t2 = tmp[TAPS + 2];
        int t = 0;
        for (; t + PASS <= nTaps; t += PASS) {
            copyRuns(in, base + taps[t], runStride, runs, runLanes, t0);
            copyRuns(in, base + taps[t + 1], runStride, runs, runLanes, t1);
            copyRuns(in, base + taps[t + 2], runStride, runs, runLanes, t2);
            int j = 0;
            for (; pairs && j + 2 <= rows; j += 2) {
                int k = weightAt(wOff, nTaps, j, t);
                float a0 = w[k], a1 = w[k + MR], a2 = w[k + 2 * MR];
                float b0 = w[k + 1], b1 = w[k + 1 + MR], b2 = w[k + 1 + 2 * MR];
                float[] r = tile[j], q = tile[j + 1];
                for (int x = 0; x < lanes; x++) {
                    float u0 = t0[x], u1 = t1[x], u2 = t2[x];
                    r[x] += a0 * u0 + a1 * u1 + a2 * u2;
                    q[x] += b0 * u0 + b1 * u1 + b2 * u2;
                }
            }
            for (; j < rows; j++) {
                int k = weightAt(wOff, nTaps, j, t);
                float a0 = w[k], a1 = w[k + MR], a2 = w[k + 2 * MR];
                float[] r = tile[j];
                for (int x = 0; x < lanes; x++) {
                    r[x] += a0 * t0[x] + a1 * t1[x] + a2 * t2[x];
                }
            }
        }
        for (; t < nTaps; t++) {
            copyRuns(in, base + taps[t], runStride, runs, runLanes, t0);
            for (int j = 0; j < rows; j++) {
                float w0 = w[weightAt(wOff, nTaps, j, t)];
                float[] r = tile[j];
                for (int x = 0; x < lanes; x++) {
                    r[x] += w0 * t0[x];
                }
            }
        }
        for (int j = 0; j < rows; j++) {
            float[] r = tile[j];
            activate(act, r, 0, lanes);
            if (pool == NO_POOL) {
                System.arraycopy(r, 0, dst, dOff + j * dStride, lanes);
            } else {
                pool2x2Row(r, runLanes, pool == MAX_POOL, tmp[TAPS + 3], tmp[TAPS + 4], dst, dOff + j * dStride);
            }
        }
    }

    /** Where row j's weight for tap t is, in blocks of MR rows packed [block][tap][MR] from wOff. */
    private static int weightAt(int wOff, int nTaps, int j, int t) {
        return wOff + (j / MR * nTaps + t) * MR + j % MR;
    }

    /**
     * Pools one channel's two conv rows {@code r[0..n)}, {@code r[n..2n)} (lanes: [window][dx][image]):
     * every lane x sums x and x + LANES of both rows, so all arrays are indexed alike; the lanes of
     * dx = 1 are computed and dropped.
     */
    private static void pool2x2Row(float[] r, int n, boolean max, float[] v, float[] o, float[] dst, int d) {
        final int l = Plan.LANES;
        System.arraycopy(r, n, v, 0, n);
        if (max) {
            for (int x = 0; x < n - l; x++) {
                o[x] = Math.max(Math.max(Math.max(r[x], r[x + l]), v[x]), v[x + l]);
            }
        } else {
            for (int x = 0; x < n - l; x++) {
                o[x] = (r[x] + r[x + l] + v[x] + v[x + l]) * 0.25f;
            }
        }
        for (int px = 0; px < n / (2 * l); px++) {
            System.arraycopy(o, 2 * px * l, dst, d + px * l, l);
        }
    }

    private static void copyRuns(float[] in, int from, int runStride, int runs, int runLanes, float[] to) {
        for (int r = 0; r < runs; r++) {
            System.arraycopy(in, from + r * runStride, to, r * runLanes, runLanes);
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
     * Passes of three inputs; for a chunk, each pass over all the images, two images per loop
     * sharing the weight loads (the conv tile's shape): the three weight rows stay in L1 while every
     * image's outputs take them. One image alone reads the rows in place: the same sums.
     */
    @Override
    void gemv(float[] x, int xOff, int xStride, int count, int n, float[][] wT, float[] panels, float[] bias, int outP,
              Workspace ws) {
        float[][] y = ws.vecs;
        for (int b = 0; b < count; b++) {
            System.arraycopy(bias, 0, y[b], 0, outP);
        }
        // Each part in a method of its own: C2 17 stops vectorizing a loop whose profile another mode shares.
        int i = count == 1 ? 0 : gemvPairs(x, xOff, xStride, count & ~1, n, wT, outP, ws.tmp, y);
        int b0 = count & ~1;
        gemvEach(x, xOff, xStride, b0, count, 0, i, wT, outP, y);
        gemvEach(x, xOff, xStride, 0, count, i, n, wT, outP, y);
    }

    /**
     * The passes of {@link #gemv} for images {@code 0..count-1}, {@code count} even; returns the
     * inputs done. C2 17 vectorizes the pair loop over rows copied to fixed arrays, and only while
     * this method's profile is not shared with the one-image loop (measured on Zen 5: 38
     * multiply-adds/ns, the previous five-input loop 29; sharing it, 8). Its loop has the shape of
     * {@link #tile}'s pair loop on purpose: the same loop as a helper inlined here ran 0.72-0.77x,
     * and one shared with the tile would share its profile too.
     */
    private static int gemvPairs(float[] x, int xOff, int xStride, int count, int n, float[][] wT, int outP, float[][] tmp,
                                 float[][] y) {
        float[] c0 = tmp[TAPS], c1 = tmp[TAPS + 1], c2 = tmp[TAPS + 2];
        int i = 0;
        for (; i + PASS <= n; i += PASS) {
            System.arraycopy(wT[i], 0, c0, 0, outP);
            System.arraycopy(wT[i + 1], 0, c1, 0, outP);
            System.arraycopy(wT[i + 2], 0, c2, 0, outP);
            for (int b = 0, xi = xOff + i * xStride; b < count; b += 2, xi += 2) {
                float a0 = x[xi], a1 = x[xi + xStride], a2 = x[xi + 2 * xStride];
                float e0 = x[xi + 1], e1 = x[xi + 1 + xStride], e2 = x[xi + 1 + 2 * xStride];
                float[] ya = y[b], ye = y[b + 1];
                for (int o = 0; o < outP; o++) {
                    float u0 = c0[o], u1 = c1[o], u2 = c2[o];
                    ya[o] += u0 * a0 + u1 * a1 + u2 * a2;
                    ye[o] += u0 * e0 + u1 * e1 + u2 * e2;
                }
            }
        }
        return i;
    }

    /** Inputs {@code i0..i1-1} of {@link #gemv} for images {@code b0..b1-1}, one image at a time, in passes of three then singly. */
    private static void gemvEach(float[] x, int xOff, int xStride, int b0, int b1, int i0, int i1, float[][] wT, int outP,
                                 float[][] y) {
        int i = i0;
        for (; i + PASS <= i1; i += PASS) {
            float[] r0 = wT[i], r1 = wT[i + 1], r2 = wT[i + 2];
            for (int b = b0, xi = xOff + i * xStride + b0; b < b1; b++, xi++) {
                float a0 = x[xi], a1 = x[xi + xStride], a2 = x[xi + 2 * xStride];
                float[] yb = y[b];
                for (int o = 0; o < outP; o++) {
                    yb[o] += r0[o] * a0 + r1[o] * a1 + r2[o] * a2;
                }
            }
        }
        for (; i < i1; i++) {
            float[] r0 = wT[i];
            for (int b = b0, xi = xOff + i * xStride + b0; b < b1; b++, xi++) {
                float x0 = x[xi];
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
