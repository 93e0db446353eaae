package lenet5.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API kernels: a register-blocked direct convolution (8 output channels x 2 vectors of
 * lanes = 16 accumulators, one broadcast weight per channel and tap) and a vectorized dense layer.
 * Loaded reflectively by {@link Kernels#vector()}, only when {@code jdk.incubator.vector} is present.
 */
final class VectorKernels extends Kernels {
    /**
     * The machine's widest vectors, or {@code -Dlenet5.vector.bits=256|512}: tests run the other
     * width's blocking on any machine (emulated vectors are slow but compute the same sums).
     */
    private static final VectorSpecies<Float> S = Integer.getInteger("lenet5.vector.bits") == null ? FloatVector.SPECIES_PREFERRED
            : VectorSpecies.of(float.class, VectorShape.forBitSize(Integer.getInteger("lenet5.vector.bits")));
    private static final int VL = S.length();
    /**
     * Lane i takes lane 2i (or 2i+1) modulo VL: the even (odd) lanes of a vector in the lower half
     * and again in the upper half, which a blend over {@link #UPPER} combines for two vectors.
     * One species for every kernel: C2 (JDK 17) lost the conv tiles' intrinsics, boxing every vector
     * (61 KB per image), once per-image pooling also ran 256-bit vectors beside the 512-bit ones.
     */
    private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(S, i -> 2 * i & VL - 1), ODD = VectorShuffle.fromOp(S, i -> 2 * i + 1 & VL - 1);
    private static final VectorMask<Float> UPPER = VectorMask.fromLong(S, -1L << VL / 2);
    /** 0, 1, 2, ...: compared with a row's width, the lanes a partial row keeps. */
    private static final FloatVector IOTA = FloatVector.fromArray(S, iota(), 0);
    /** Taps summed from zero before being added to the output: one 5x5 window of one input channel. */
    static final int BLOCK = 25;

    @Override
    String name() {
        return "vector-" + S.vectorBitSize();
    }

    @Override
    void convTile(float[] in, int base, int[] taps, int nTaps, float[] w, int wOff, float[] bias, int biasOff,
                  int rows, int lanes, int act, float[] dst, int dOff, int dStride, Workspace ws) {
        if (rows == 8 || rows == 6 || rows == 4) {
            tiles(in, base, taps, nTaps, w, wOff, bias, biasOff, rows, lanes, dst, dOff, dStride);
        } else {
            // Another partial block: all 8 rows into scratch, keep the real ones.
            tiles(in, base, taps, nTaps, w, wOff, bias, biasOff, MR, lanes, ws.spill, 0, lanes);
            for (int j = 0; j < rows; j++) {
                System.arraycopy(ws.spill, j * lanes, dst, dOff + j * dStride, lanes);
            }
        }
        // Activated in place, read back while still in L1 (a vector helper called on the accumulators
        // would not be inlined by C2 on JDK 17 and would box them).
        for (int j = 0; act != ACT_NONE && j < rows; j++) {
            if (act == ACT_TANH) {
                tanh(dst, dOff + j * dStride, lanes);
            } else {
                relu(dst, dOff + j * dStride, lanes);
            }
        }
    }

    /**
     * The output rows start as the bias; each tile then adds its sums over blocks of {@link #BLOCK}
     * taps (each block summed from zero in registers, then added): a float32 sum of hundreds of
     * products in one chain drifts further from the exact result than PyTorch's does.
     */
    private static void tiles(float[] in, int base, int[] taps, int nTaps, float[] w, int wOff, float[] bias, int biasOff,
                              int rows, int lanes, float[] out, int oOff, int oStride) {
        for (int j = 0; j < rows; j++) {
            java.util.Arrays.fill(out, oOff + j * oStride, oOff + j * oStride + lanes, bias[biasOff + j]);
        }
        int x = 0;
        for (; x + 2 * VL <= lanes; x += 2 * VL) {
            // Separate methods because a branch inside one loop makes C2 box the vectors.
            if (rows == 6) {
                tile6x2(in, base + x, taps, nTaps, w, wOff, out, oOff + x, oStride);
            } else if (rows == 4) {
                tile4x2(in, base + x, taps, nTaps, w, wOff, out, oOff + x, oStride);
            } else if (VL >= 16) {
                tile8x2(in, base + x, taps, nTaps, w, wOff, out, oOff + x, oStride);
            } else {
                // 256-bit: 16 registers hold 8 accumulators, not 16; two passes of 4 rows (measured
                // faster than blocks of 6 channels with 12 accumulators).
                tile4x2(in, base + x, taps, nTaps, w, wOff, out, oOff + x, oStride);
                tile4x2(in, base + x, taps, nTaps, w, wOff + 4, out, oOff + x + 4 * oStride, oStride);
            }
        }
        for (; x < lanes; x += VL) {
            tile8x1(in, base + x, taps, nTaps, w, wOff, out, oOff + x, oStride);
        }
    }

    /** Whole vectors: the tiles of two end with one of a single vector (8 rows, into the workspace's tile). */
    @Override
    int imageLaneMultiple() {
        return VL;
    }

    /** Through memory, not a vector carried around a loop: C2 on JDK 17 may box loop-carried vectors. */
    @Override
    void poolParts(float[] tile, int tOff, int ph, int pw, int dyStride, int rowStride, int rows, boolean max, float scale,
                   float[] dst, int dOff, int dStride) {
        if (ph == 2 && pw == 2) {
            pool2x2(tile, tOff, dyStride, rowStride, rows, max, scale, dst, dOff, dStride);
            return;
        }
        int lanes = Plan.LANES;
        for (int j = 0; j < rows; j++) {
            int d = dOff + j * dStride;
            System.arraycopy(tile, tOff + j * rowStride, dst, d, lanes);
            for (int p = 1; p < ph * pw; p++) {
                int tp = tOff + (p / pw) * dyStride + j * rowStride + (p % pw) * lanes;
                for (int x = 0; x < lanes; x += VL) {
                    FloatVector a = FloatVector.fromArray(S, dst, d + x), b = FloatVector.fromArray(S, tile, tp + x);
                    if (max) {
                        a.max(b).intoArray(dst, d + x);
                    } else {
                        a.add(b).intoArray(dst, d + x);
                    }
                }
            }
            for (int x = 0; !max && x < lanes; x += VL) {
                FloatVector.fromArray(S, dst, d + x).mul(scale).intoArray(dst, d + x);
            }
        }
    }

    /** The common 2x2 window in one pass: ((a + b) + c) + d, PyTorch's order, then the scale. */
    private static void pool2x2(float[] tile, int tOff, int dyStride, int rowStride, int rows, boolean max, float scale,
                                float[] dst, int dOff, int dStride) {
        for (int j = 0; j < rows; j++) {
            for (int x = 0, t = tOff + j * rowStride, d = dOff + j * dStride; x < Plan.LANES; x += VL, t += VL, d += VL) {
                FloatVector a = FloatVector.fromArray(S, tile, t), b = FloatVector.fromArray(S, tile, t + Plan.LANES);
                FloatVector c = FloatVector.fromArray(S, tile, t + dyStride);
                FloatVector e = FloatVector.fromArray(S, tile, t + dyStride + Plan.LANES);
                if (max) {
                    a.max(b).max(c).max(e).intoArray(dst, d);
                } else {
                    a.add(b).add(c).add(e).mul(scale).intoArray(dst, d);
                }
            }
        }
    }

    /**
     * A vector of windows at a time: rows of at least VL outputs end with a vector overlapping the
     * one before (same values written twice); rows of more than VL/2 (LeNet's 14 on 512-bit
     * vectors) keep the old values of the lanes past the row. Shorter rows: the plain loops.
     */
    @Override
    void poolImage2x2(float[] src, int sOff, int rowStride, int chStride, int channels, int outH, int outW, boolean max,
                      float[] dst, int dOff) {
        int lastTop = sOff + (channels - 1) * chStride + (2 * outH - 1) * rowStride;
        boolean partial = outW < VL && 2 * outW > VL && lastTop + 2 * VL <= src.length && dOff + channels * outH * outW - outW + VL <= dst.length;
        if (outW < VL && !partial) {
            super.poolImage2x2(src, sOff, rowStride, chStride, channels, outH, outW, max, dst, dOff);
            return;
        }
        for (int ch = 0; ch < channels; ch++) {
            for (int oy = 0; oy < outH; oy++) {
                int r0 = sOff + ch * chStride + 2 * oy * rowStride, r1 = r0 + rowStride, d = dOff + (ch * outH + oy) * outW;
                if (partial) {
                    windows(src, r0, r1, max, dst, d, outW);
                    continue;
                }
                for (int ox = 0; ox < outW; ox += VL) {
                    int o = Math.min(ox, outW - VL);
                    windows(src, r0 + 2 * o, r1 + 2 * o, max, dst, d + o, VL);
                }
            }
        }
    }

    /**
     * VL windows, the first {@code keep} stored: ((a + b) + c + d) * 0.25 as the scalar kernels sum
     * them, or the max. Stored in each branch: a vector merged from two branches is boxed (JDK 17 C2).
     */
    private static void windows(float[] src, int top, int bottom, boolean max, float[] dst, int d, int keep) {
        FloatVector t0 = FloatVector.fromArray(S, src, top), t1 = FloatVector.fromArray(S, src, top + VL);
        FloatVector b0 = FloatVector.fromArray(S, src, bottom), b1 = FloatVector.fromArray(S, src, bottom + VL);
        FloatVector a = t0.rearrange(EVEN).blend(t1.rearrange(EVEN), UPPER), b = t0.rearrange(ODD).blend(t1.rearrange(ODD), UPPER);
        FloatVector c = b0.rearrange(EVEN).blend(b1.rearrange(EVEN), UPPER), e = b0.rearrange(ODD).blend(b1.rearrange(ODD), UPPER);
        if (max) {
            store(a.max(b).max(c.max(e)), dst, d, keep);
        } else {
            store(a.add(b).add(c).add(e).mul(0.25f), dst, d, keep);
        }
    }

    /** The first {@code keep} lanes of {@code r} to {@code dst[d..]}, the rest of the vector's span unchanged. */
    private static void store(FloatVector r, float[] dst, int d, int keep) {
        if (keep == VL) {
            r.intoArray(dst, d);
        } else {
            FloatVector.fromArray(S, dst, d).blend(r, IOTA.compare(VectorOperators.LT, keep)).intoArray(dst, d);
        }
    }

    private static float[] iota() {
        float[] a = new float[VL];
        for (int i = 0; i < VL; i++) {
            a[i] = i;
        }
        return a;
    }

    /** 8 output channels x 2 vectors of lanes: 16 accumulators, 2 loads and 8 broadcasts per 16 FMAs (32 registers: AVX-512). */
    private static void tile8x2(float[] in, int base, int[] taps, int nTaps, float[] w, int wOff, float[] out, int oOff, int oStride) {
        for (int t0 = 0; t0 < nTaps; t0 += BLOCK) {
            FloatVector a0 = FloatVector.zero(S), b0 = FloatVector.zero(S);
            FloatVector a1 = FloatVector.zero(S), b1 = FloatVector.zero(S);
            FloatVector a2 = FloatVector.zero(S), b2 = FloatVector.zero(S);
            FloatVector a3 = FloatVector.zero(S), b3 = FloatVector.zero(S);
            FloatVector a4 = FloatVector.zero(S), b4 = FloatVector.zero(S);
            FloatVector a5 = FloatVector.zero(S), b5 = FloatVector.zero(S);
            FloatVector a6 = FloatVector.zero(S), b6 = FloatVector.zero(S);
            FloatVector a7 = FloatVector.zero(S), b7 = FloatVector.zero(S);
            for (int t = t0, t1 = Math.min(nTaps, t0 + BLOCK), k = wOff + t0 * MR; t < t1; t++, k += MR) {
                int o = base + taps[t];
                FloatVector u = FloatVector.fromArray(S, in, o);
                FloatVector v = FloatVector.fromArray(S, in, o + VL);
                FloatVector c0 = FloatVector.broadcast(S, w[k + 0]);
                a0 = u.fma(c0, a0);
                b0 = v.fma(c0, b0);
                FloatVector c1 = FloatVector.broadcast(S, w[k + 1]);
                a1 = u.fma(c1, a1);
                b1 = v.fma(c1, b1);
                FloatVector c2 = FloatVector.broadcast(S, w[k + 2]);
                a2 = u.fma(c2, a2);
                b2 = v.fma(c2, b2);
                FloatVector c3 = FloatVector.broadcast(S, w[k + 3]);
                a3 = u.fma(c3, a3);
                b3 = v.fma(c3, b3);
                FloatVector c4 = FloatVector.broadcast(S, w[k + 4]);
                a4 = u.fma(c4, a4);
                b4 = v.fma(c4, b4);
                FloatVector c5 = FloatVector.broadcast(S, w[k + 5]);
                a5 = u.fma(c5, a5);
                b5 = v.fma(c5, b5);
                FloatVector c6 = FloatVector.broadcast(S, w[k + 6]);
                a6 = u.fma(c6, a6);
                b6 = v.fma(c6, b6);
                FloatVector c7 = FloatVector.broadcast(S, w[k + 7]);
                a7 = u.fma(c7, a7);
                b7 = v.fma(c7, b7);
            }
            FloatVector.fromArray(S, out, oOff).add(a0).intoArray(out, oOff);
            FloatVector.fromArray(S, out, oOff + VL).add(b0).intoArray(out, oOff + VL);
            FloatVector.fromArray(S, out, oOff + 1 * oStride).add(a1).intoArray(out, oOff + 1 * oStride);
            FloatVector.fromArray(S, out, oOff + 1 * oStride + VL).add(b1).intoArray(out, oOff + 1 * oStride + VL);
            FloatVector.fromArray(S, out, oOff + 2 * oStride).add(a2).intoArray(out, oOff + 2 * oStride);
            FloatVector.fromArray(S, out, oOff + 2 * oStride + VL).add(b2).intoArray(out, oOff + 2 * oStride + VL);
            FloatVector.fromArray(S, out, oOff + 3 * oStride).add(a3).intoArray(out, oOff + 3 * oStride);
            FloatVector.fromArray(S, out, oOff + 3 * oStride + VL).add(b3).intoArray(out, oOff + 3 * oStride + VL);
            FloatVector.fromArray(S, out, oOff + 4 * oStride).add(a4).intoArray(out, oOff + 4 * oStride);
            FloatVector.fromArray(S, out, oOff + 4 * oStride + VL).add(b4).intoArray(out, oOff + 4 * oStride + VL);
            FloatVector.fromArray(S, out, oOff + 5 * oStride).add(a5).intoArray(out, oOff + 5 * oStride);
            FloatVector.fromArray(S, out, oOff + 5 * oStride + VL).add(b5).intoArray(out, oOff + 5 * oStride + VL);
            FloatVector.fromArray(S, out, oOff + 6 * oStride).add(a6).intoArray(out, oOff + 6 * oStride);
            FloatVector.fromArray(S, out, oOff + 6 * oStride + VL).add(b6).intoArray(out, oOff + 6 * oStride + VL);
            FloatVector.fromArray(S, out, oOff + 7 * oStride).add(a7).intoArray(out, oOff + 7 * oStride);
            FloatVector.fromArray(S, out, oOff + 7 * oStride + VL).add(b7).intoArray(out, oOff + 7 * oStride + VL);
        }
    }

    /** 6 output channels x 2 vectors: 12 accumulators, fits 16 registers (AVX2). */
    private static void tile6x2(float[] in, int base, int[] taps, int nTaps, float[] w, int wOff, float[] out, int oOff, int oStride) {
        for (int t0 = 0; t0 < nTaps; t0 += BLOCK) {
            FloatVector a0 = FloatVector.zero(S), b0 = FloatVector.zero(S);
            FloatVector a1 = FloatVector.zero(S), b1 = FloatVector.zero(S);
            FloatVector a2 = FloatVector.zero(S), b2 = FloatVector.zero(S);
            FloatVector a3 = FloatVector.zero(S), b3 = FloatVector.zero(S);
            FloatVector a4 = FloatVector.zero(S), b4 = FloatVector.zero(S);
            FloatVector a5 = FloatVector.zero(S), b5 = FloatVector.zero(S);
            for (int t = t0, t1 = Math.min(nTaps, t0 + BLOCK), k = wOff + t0 * MR; t < t1; t++, k += MR) {
                int o = base + taps[t];
                FloatVector u = FloatVector.fromArray(S, in, o);
                FloatVector v = FloatVector.fromArray(S, in, o + VL);
                FloatVector c0 = FloatVector.broadcast(S, w[k + 0]);
                a0 = u.fma(c0, a0);
                b0 = v.fma(c0, b0);
                FloatVector c1 = FloatVector.broadcast(S, w[k + 1]);
                a1 = u.fma(c1, a1);
                b1 = v.fma(c1, b1);
                FloatVector c2 = FloatVector.broadcast(S, w[k + 2]);
                a2 = u.fma(c2, a2);
                b2 = v.fma(c2, b2);
                FloatVector c3 = FloatVector.broadcast(S, w[k + 3]);
                a3 = u.fma(c3, a3);
                b3 = v.fma(c3, b3);
                FloatVector c4 = FloatVector.broadcast(S, w[k + 4]);
                a4 = u.fma(c4, a4);
                b4 = v.fma(c4, b4);
                FloatVector c5 = FloatVector.broadcast(S, w[k + 5]);
                a5 = u.fma(c5, a5);
                b5 = v.fma(c5, b5);
            }
            FloatVector.fromArray(S, out, oOff).add(a0).intoArray(out, oOff);
            FloatVector.fromArray(S, out, oOff + VL).add(b0).intoArray(out, oOff + VL);
            FloatVector.fromArray(S, out, oOff + 1 * oStride).add(a1).intoArray(out, oOff + 1 * oStride);
            FloatVector.fromArray(S, out, oOff + 1 * oStride + VL).add(b1).intoArray(out, oOff + 1 * oStride + VL);
            FloatVector.fromArray(S, out, oOff + 2 * oStride).add(a2).intoArray(out, oOff + 2 * oStride);
            FloatVector.fromArray(S, out, oOff + 2 * oStride + VL).add(b2).intoArray(out, oOff + 2 * oStride + VL);
            FloatVector.fromArray(S, out, oOff + 3 * oStride).add(a3).intoArray(out, oOff + 3 * oStride);
            FloatVector.fromArray(S, out, oOff + 3 * oStride + VL).add(b3).intoArray(out, oOff + 3 * oStride + VL);
            FloatVector.fromArray(S, out, oOff + 4 * oStride).add(a4).intoArray(out, oOff + 4 * oStride);
            FloatVector.fromArray(S, out, oOff + 4 * oStride + VL).add(b4).intoArray(out, oOff + 4 * oStride + VL);
            FloatVector.fromArray(S, out, oOff + 5 * oStride).add(a5).intoArray(out, oOff + 5 * oStride);
            FloatVector.fromArray(S, out, oOff + 5 * oStride + VL).add(b5).intoArray(out, oOff + 5 * oStride + VL);
        }
    }

    /** 4 output channels x 2 vectors: 8 accumulators; the 256-bit kernel for blocks of 8 channels (twice) and of 4. */
    private static void tile4x2(float[] in, int base, int[] taps, int nTaps, float[] w, int wOff, float[] out, int oOff, int oStride) {
        for (int t0 = 0; t0 < nTaps; t0 += BLOCK) {
            FloatVector a0 = FloatVector.zero(S), b0 = FloatVector.zero(S);
            FloatVector a1 = FloatVector.zero(S), b1 = FloatVector.zero(S);
            FloatVector a2 = FloatVector.zero(S), b2 = FloatVector.zero(S);
            FloatVector a3 = FloatVector.zero(S), b3 = FloatVector.zero(S);
            for (int t = t0, t1 = Math.min(nTaps, t0 + BLOCK), k = wOff + t0 * MR; t < t1; t++, k += MR) {
                int o = base + taps[t];
                FloatVector u = FloatVector.fromArray(S, in, o);
                FloatVector v = FloatVector.fromArray(S, in, o + VL);
                FloatVector c0 = FloatVector.broadcast(S, w[k + 0]);
                a0 = u.fma(c0, a0);
                b0 = v.fma(c0, b0);
                FloatVector c1 = FloatVector.broadcast(S, w[k + 1]);
                a1 = u.fma(c1, a1);
                b1 = v.fma(c1, b1);
                FloatVector c2 = FloatVector.broadcast(S, w[k + 2]);
                a2 = u.fma(c2, a2);
                b2 = v.fma(c2, b2);
                FloatVector c3 = FloatVector.broadcast(S, w[k + 3]);
                a3 = u.fma(c3, a3);
                b3 = v.fma(c3, b3);
            }
            FloatVector.fromArray(S, out, oOff).add(a0).intoArray(out, oOff);
            FloatVector.fromArray(S, out, oOff + VL).add(b0).intoArray(out, oOff + VL);
            FloatVector.fromArray(S, out, oOff + 1 * oStride).add(a1).intoArray(out, oOff + 1 * oStride);
            FloatVector.fromArray(S, out, oOff + 1 * oStride + VL).add(b1).intoArray(out, oOff + 1 * oStride + VL);
            FloatVector.fromArray(S, out, oOff + 2 * oStride).add(a2).intoArray(out, oOff + 2 * oStride);
            FloatVector.fromArray(S, out, oOff + 2 * oStride + VL).add(b2).intoArray(out, oOff + 2 * oStride + VL);
            FloatVector.fromArray(S, out, oOff + 3 * oStride).add(a3).intoArray(out, oOff + 3 * oStride);
            FloatVector.fromArray(S, out, oOff + 3 * oStride + VL).add(b3).intoArray(out, oOff + 3 * oStride + VL);
        }
    }

    /** 8 output channels x 1 vector: the last vector of a row. */
    private static void tile8x1(float[] in, int base, int[] taps, int nTaps, float[] w, int wOff, float[] out, int oOff, int oStride) {
        for (int t0 = 0; t0 < nTaps; t0 += BLOCK) {
            FloatVector a0 = FloatVector.zero(S);
            FloatVector a1 = FloatVector.zero(S);
            FloatVector a2 = FloatVector.zero(S);
            FloatVector a3 = FloatVector.zero(S);
            FloatVector a4 = FloatVector.zero(S);
            FloatVector a5 = FloatVector.zero(S);
            FloatVector a6 = FloatVector.zero(S);
            FloatVector a7 = FloatVector.zero(S);
            for (int t = t0, t1 = Math.min(nTaps, t0 + BLOCK), k = wOff + t0 * MR; t < t1; t++, k += MR) {
                int o = base + taps[t];
                FloatVector u = FloatVector.fromArray(S, in, o);
                FloatVector c0 = FloatVector.broadcast(S, w[k + 0]);
                a0 = u.fma(c0, a0);
                FloatVector c1 = FloatVector.broadcast(S, w[k + 1]);
                a1 = u.fma(c1, a1);
                FloatVector c2 = FloatVector.broadcast(S, w[k + 2]);
                a2 = u.fma(c2, a2);
                FloatVector c3 = FloatVector.broadcast(S, w[k + 3]);
                a3 = u.fma(c3, a3);
                FloatVector c4 = FloatVector.broadcast(S, w[k + 4]);
                a4 = u.fma(c4, a4);
                FloatVector c5 = FloatVector.broadcast(S, w[k + 5]);
                a5 = u.fma(c5, a5);
                FloatVector c6 = FloatVector.broadcast(S, w[k + 6]);
                a6 = u.fma(c6, a6);
                FloatVector c7 = FloatVector.broadcast(S, w[k + 7]);
                a7 = u.fma(c7, a7);
            }
            FloatVector.fromArray(S, out, oOff).add(a0).intoArray(out, oOff);
            FloatVector.fromArray(S, out, oOff + 1 * oStride).add(a1).intoArray(out, oOff + 1 * oStride);
            FloatVector.fromArray(S, out, oOff + 2 * oStride).add(a2).intoArray(out, oOff + 2 * oStride);
            FloatVector.fromArray(S, out, oOff + 3 * oStride).add(a3).intoArray(out, oOff + 3 * oStride);
            FloatVector.fromArray(S, out, oOff + 4 * oStride).add(a4).intoArray(out, oOff + 4 * oStride);
            FloatVector.fromArray(S, out, oOff + 5 * oStride).add(a5).intoArray(out, oOff + 5 * oStride);
            FloatVector.fromArray(S, out, oOff + 6 * oStride).add(a6).intoArray(out, oOff + 6 * oStride);
            FloatVector.fromArray(S, out, oOff + 7 * oStride).add(a7).intoArray(out, oOff + 7 * oStride);
        }
    }

    /**
     * 16 channels a vector (512-bit) and kernel rows of 5 taps: measured faster than wide tiles there
     * (LeNet's second convolution, batch 1); unmeasured elsewhere.
     */
    @Override
    int channelLanes(int kernelW) {
        return VL >= 16 && kernelW == 5 && BLOCK % 5 == 0 ? VL : 0;
    }

    @Override
    void convPositions(float[] in, int base, int[] taps, int nTaps, float[] w, int wOff, int wStride, float[] bias, int biasOff,
                       int count, int act, float[] out, int oOff) {
        int p = 0;
        for (; p + 10 <= count; p += 10) {
            positions10(in, base + p, taps, nTaps, w, wOff, wStride, bias, biasOff, out, oOff + p * VL);
        }
        for (; p < count; p++) {
            positions1(in, base + p, taps, nTaps, w, wOff, wStride, bias, biasOff, out, oOff + p * VL);
        }
        if (act == ACT_TANH) {
            tanh(out, oOff, count * VL);
        } else if (act == ACT_RELU) {
            relu(out, oOff, count * VL);
        }
    }

    /**
     * 10 positions x a vector of channels in 10 accumulators, a kernel row of 5 taps at a time: the
     * row's 10 positions read 14 consecutive inputs, each broadcast once for the up to 5 taps that
     * use it (measured 1.11x faster than 10 broadcasts per tap). Each accumulator takes its taps in order.
     */
    private static void positions10(float[] in, int base, int[] taps, int nTaps, float[] w, int wOff, int wStride, float[] bias,
                                         int biasOff, float[] out, int oOff) {
        FloatVector b = FloatVector.fromArray(S, bias, biasOff);
        for (int p = 0; p < 10; p++) {
            b.intoArray(out, oOff + p * VL);
        }
        for (int t0 = 0; t0 < nTaps; t0 += BLOCK) {
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0;
            for (int t = t0, t1 = Math.min(nTaps, t0 + BLOCK), k = wOff + t0 * wStride; t < t1; t += 5, k += 5 * wStride) {
                int o = base + taps[t];
                FloatVector x0 = FloatVector.broadcast(S, in[o]), x1 = FloatVector.broadcast(S, in[o + 1]);
                FloatVector x2 = FloatVector.broadcast(S, in[o + 2]), x3 = FloatVector.broadcast(S, in[o + 3]);
                FloatVector x4 = FloatVector.broadcast(S, in[o + 4]), x5 = FloatVector.broadcast(S, in[o + 5]);
                FloatVector x6 = FloatVector.broadcast(S, in[o + 6]), x7 = FloatVector.broadcast(S, in[o + 7]);
                FloatVector x8 = FloatVector.broadcast(S, in[o + 8]), x9 = FloatVector.broadcast(S, in[o + 9]);
                FloatVector c = FloatVector.fromArray(S, w, k);
                a0 = c.fma(x0, a0); a1 = c.fma(x1, a1); a2 = c.fma(x2, a2); a3 = c.fma(x3, a3); a4 = c.fma(x4, a4);
                a5 = c.fma(x5, a5); a6 = c.fma(x6, a6); a7 = c.fma(x7, a7); a8 = c.fma(x8, a8); a9 = c.fma(x9, a9);
                FloatVector x10 = FloatVector.broadcast(S, in[o + 10]);
                c = FloatVector.fromArray(S, w, k + wStride);
                a0 = c.fma(x1, a0); a1 = c.fma(x2, a1); a2 = c.fma(x3, a2); a3 = c.fma(x4, a3); a4 = c.fma(x5, a4);
                a5 = c.fma(x6, a5); a6 = c.fma(x7, a6); a7 = c.fma(x8, a7); a8 = c.fma(x9, a8); a9 = c.fma(x10, a9);
                FloatVector x11 = FloatVector.broadcast(S, in[o + 11]);
                c = FloatVector.fromArray(S, w, k + 2 * wStride);
                a0 = c.fma(x2, a0); a1 = c.fma(x3, a1); a2 = c.fma(x4, a2); a3 = c.fma(x5, a3); a4 = c.fma(x6, a4);
                a5 = c.fma(x7, a5); a6 = c.fma(x8, a6); a7 = c.fma(x9, a7); a8 = c.fma(x10, a8); a9 = c.fma(x11, a9);
                FloatVector x12 = FloatVector.broadcast(S, in[o + 12]);
                c = FloatVector.fromArray(S, w, k + 3 * wStride);
                a0 = c.fma(x3, a0); a1 = c.fma(x4, a1); a2 = c.fma(x5, a2); a3 = c.fma(x6, a3); a4 = c.fma(x7, a4);
                a5 = c.fma(x8, a5); a6 = c.fma(x9, a6); a7 = c.fma(x10, a7); a8 = c.fma(x11, a8); a9 = c.fma(x12, a9);
                FloatVector x13 = FloatVector.broadcast(S, in[o + 13]);
                c = FloatVector.fromArray(S, w, k + 4 * wStride);
                a0 = c.fma(x4, a0); a1 = c.fma(x5, a1); a2 = c.fma(x6, a2); a3 = c.fma(x7, a3); a4 = c.fma(x8, a4);
                a5 = c.fma(x9, a5); a6 = c.fma(x10, a6); a7 = c.fma(x11, a7); a8 = c.fma(x12, a8); a9 = c.fma(x13, a9);
            }
            FloatVector.fromArray(S, out, oOff).add(a0).intoArray(out, oOff);
            FloatVector.fromArray(S, out, oOff + VL).add(a1).intoArray(out, oOff + VL);
            FloatVector.fromArray(S, out, oOff + 2 * VL).add(a2).intoArray(out, oOff + 2 * VL);
            FloatVector.fromArray(S, out, oOff + 3 * VL).add(a3).intoArray(out, oOff + 3 * VL);
            FloatVector.fromArray(S, out, oOff + 4 * VL).add(a4).intoArray(out, oOff + 4 * VL);
            FloatVector.fromArray(S, out, oOff + 5 * VL).add(a5).intoArray(out, oOff + 5 * VL);
            FloatVector.fromArray(S, out, oOff + 6 * VL).add(a6).intoArray(out, oOff + 6 * VL);
            FloatVector.fromArray(S, out, oOff + 7 * VL).add(a7).intoArray(out, oOff + 7 * VL);
            FloatVector.fromArray(S, out, oOff + 8 * VL).add(a8).intoArray(out, oOff + 8 * VL);
            FloatVector.fromArray(S, out, oOff + 9 * VL).add(a9).intoArray(out, oOff + 9 * VL);
        }
    }

    /** One position: the rest of a row. */
    private static void positions1(float[] in, int base, int[] taps, int nTaps, float[] w, int wOff, int wStride, float[] bias, int biasOff,
                                   float[] out, int oOff) {
        FloatVector.fromArray(S, bias, biasOff).intoArray(out, oOff);
        for (int t0 = 0; t0 < nTaps; t0 += BLOCK) {
            FloatVector a0 = FloatVector.zero(S);
            for (int t = t0, t1 = Math.min(nTaps, t0 + BLOCK), k = wOff + t0 * wStride; t < t1; t++, k += wStride) {
                a0 = FloatVector.fromArray(S, w, k).fma(FloatVector.broadcast(S, in[base + taps[t]]), a0);
            }
            FloatVector.fromArray(S, out, oOff).add(a0).intoArray(out, oOff);
        }
    }

    @Override
    void poolPositions2x2(float[] tile, int cols, int ph, int pw, boolean max, float[] tmp, int tOff, float[] dst, int dOff, int plane) {
        for (int py = 0, q = tOff; py < ph; py++) {
            for (int px = 0; px < pw; px++, q += VL) {
                int a = (2 * py * cols + 2 * px) * VL, c = a + cols * VL;
                FloatVector t0 = FloatVector.fromArray(S, tile, a), t1 = FloatVector.fromArray(S, tile, a + VL);
                FloatVector b0 = FloatVector.fromArray(S, tile, c), b1 = FloatVector.fromArray(S, tile, c + VL);
                // Stored in each branch: a vector merged from two branches is boxed (JDK 17 C2).
                if (max) {
                    t0.max(t1).max(b0.max(b1)).intoArray(tmp, q);
                } else {
                    t0.add(t1).add(b0).add(b1).mul(0.25f).intoArray(tmp, q);
                }
            }
        }
        for (int ch = 0; ch < VL; ch++) {
            for (int p = 0; p < ph * pw; p++) {
                dst[dOff + ch * plane + p] = tmp[tOff + p * VL + ch];
            }
        }
    }

    /**
     * Panels of 8 vectors of outputs, then one of the rest, each {@code [n][width]} contiguous: the
     * kernel streams a panel in order, 8 accumulators at a time (per image, measured 40% faster
     * than rows of {@code wT} 4 vectors at a time: latency-bound, and a new array per input).
     */
    @Override
    float[] gemvPanels(float[][] wT, int outP) {
        int n = wT.length;
        float[] p = new float[n * outP];
        for (int o = 0; o < outP; o += panelWidth(outP - o)) {
            int width = panelWidth(outP - o);
            for (int i = 0; i < n; i++) {
                System.arraycopy(wT[i], o, p, n * o + i * width, width);
            }
        }
        return p;
    }

    private static int panelWidth(int left) {
        return Math.min(8 * VL, left);
    }

    /** Sums in the blocks of {@link #BLOCK} inputs that {@link #convTile} uses. */
    @Override
    void gemv(float[] x, int xOff, int xStride, int count, int n, float[][] wT, float[] panels, float[] bias, int outP,
              Workspace ws) {
        float[][] ys = ws.vecs;
        for (int b = 0; b < count; b++) {
            float[] y = ys[b];
            System.arraycopy(bias, 0, y, 0, outP);
            for (int i0 = 0; i0 < n; i0 += BLOCK) {
                int len = Math.min(n, i0 + BLOCK) - i0, xi = xOff + b + i0 * xStride;
                for (int o = 0; o < outP; o += panelWidth(outP - o)) {
                    int width = panelWidth(outP - o), k = n * o + i0 * width;
                    if (width == 8 * VL) {
                        panel8(x, xi, xStride, len, panels, k, y, o);
                    } else {
                        // The last, narrower panel (LeNet's last layer): a vector of outputs at a time.
                        for (int v = 0; v < width; v += VL) {
                            column(x, xi, xStride, len, panels, k + v, width, y, o + v);
                        }
                    }
                }
            }
        }
    }

    private static void panel8(float[] x, int xi, int xStride, int len, float[] p, int k, float[] y, int o) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (int i = 0; i < len; i++, xi += xStride, k += 8 * VL) {
            FloatVector c = FloatVector.broadcast(S, x[xi]);
            a0 = FloatVector.fromArray(S, p, k).fma(c, a0);
            a1 = FloatVector.fromArray(S, p, k + VL).fma(c, a1);
            a2 = FloatVector.fromArray(S, p, k + 2 * VL).fma(c, a2);
            a3 = FloatVector.fromArray(S, p, k + 3 * VL).fma(c, a3);
            a4 = FloatVector.fromArray(S, p, k + 4 * VL).fma(c, a4);
            a5 = FloatVector.fromArray(S, p, k + 5 * VL).fma(c, a5);
            a6 = FloatVector.fromArray(S, p, k + 6 * VL).fma(c, a6);
            a7 = FloatVector.fromArray(S, p, k + 7 * VL).fma(c, a7);
        }
        FloatVector.fromArray(S, y, o).add(a0).intoArray(y, o);
        FloatVector.fromArray(S, y, o + VL).add(a1).intoArray(y, o + VL);
        FloatVector.fromArray(S, y, o + 2 * VL).add(a2).intoArray(y, o + 2 * VL);
        FloatVector.fromArray(S, y, o + 3 * VL).add(a3).intoArray(y, o + 3 * VL);
        FloatVector.fromArray(S, y, o + 4 * VL).add(a4).intoArray(y, o + 4 * VL);
        FloatVector.fromArray(S, y, o + 5 * VL).add(a5).intoArray(y, o + 5 * VL);
        FloatVector.fromArray(S, y, o + 6 * VL).add(a6).intoArray(y, o + 6 * VL);
        FloatVector.fromArray(S, y, o + 7 * VL).add(a7).intoArray(y, o + 7 * VL);
    }

    /** One vector of outputs from a panel {@code width} wide. */
    private static void column(float[] x, int xi, int xStride, int len, float[] p, int k, int width, float[] y, int o) {
        FloatVector a0 = FloatVector.zero(S);
        for (int i = 0; i < len; i++, xi += xStride, k += width) {
            a0 = FloatVector.fromArray(S, p, k).fma(FloatVector.broadcast(S, x[xi]), a0);
        }
        FloatVector.fromArray(S, y, o).add(a0).intoArray(y, o);
    }

    @Override
    void tanh(float[] a, int off, int len) {
        int i = off, end = off + len;
        // Constants as vectors made once, outside the loop: C2 re-broadcast them every iteration
        // otherwise (15% slower in a micro-benchmark).
        FloatVector hi = FloatVector.broadcast(S, FastTanh.SATURATED), lo = hi.neg();
        FloatVector clamp = FloatVector.broadcast(S, FastTanh.CLAMP), negClamp = clamp.neg();
        FloatVector a13 = FloatVector.broadcast(S, FastTanh.A13), a11 = FloatVector.broadcast(S, FastTanh.A11);
        FloatVector a9 = FloatVector.broadcast(S, FastTanh.A9), a7 = FloatVector.broadcast(S, FastTanh.A7);
        FloatVector a5 = FloatVector.broadcast(S, FastTanh.A5), a3 = FloatVector.broadcast(S, FastTanh.A3);
        FloatVector a1 = FloatVector.broadcast(S, FastTanh.A1), b6 = FloatVector.broadcast(S, FastTanh.B6);
        FloatVector b4 = FloatVector.broadcast(S, FastTanh.B4), b2 = FloatVector.broadcast(S, FastTanh.B2);
        FloatVector b0 = FloatVector.broadcast(S, FastTanh.B0);
        for (; i + VL <= end; i += VL) {
            // FastTanh's rational function (fma as there). Past the clamp the result is rational(±CLAMP):
            // the same bits as FastTanh.of, from two compares and blends instead of Java's min/max
            // (which AVX2 emulates with several blends). No branch: skipping work when no lane needs
            // it was slower on real digits.
            FloatVector x = FloatVector.fromArray(S, a, i);
            FloatVector x2 = x.mul(x);
            FloatVector p = x2.fma(a13, a11);
            p = x2.fma(p, a9);
            p = x2.fma(p, a7);
            p = x2.fma(p, a5);
            p = x2.fma(p, a3);
            p = x2.fma(p, a1);
            p = x.mul(p);
            FloatVector q = x2.fma(b6, b4);
            q = x2.fma(q, b2);
            q = x2.fma(q, b0);
            p.div(q).blend(hi, x.compare(VectorOperators.GT, clamp)).blend(lo, x.compare(VectorOperators.LT, negClamp)).intoArray(a, i);
        }
        for (; i < end; i++) {
            a[i] = FastTanh.of(a[i]);
        }
    }

    @Override
    void relu(float[] a, int off, int len) {
        int i = off, end = off + len;
        for (; i + VL <= end; i += VL) {
            FloatVector.fromArray(S, a, i).max(0f).intoArray(a, i);
        }
        for (; i < end; i++) {
            a[i] = Math.max(a[i], 0f);
        }
    }
}
