package lenet5.kernels;

import lenet5.layers.Activation;
import lenet5.layers.Conv2d;
import lenet5.layers.Pool2d;
import lenet5.tensor.Shape;

/**
 * Convolution without padding (a {@link PadStep} runs first when the layer pads), with bias and
 * optionally a fused activation and a fused non-overlapping pool. One {@link Kernels#convTile}
 * computes up to 8 output channels for a tile of lanes: in batched mode the lanes are the images
 * at one output position (or at the adjacent positions of a pool window row), in per-image mode
 * consecutive "wide" output positions (see {@link #forwardImageWide}); the few column-strided
 * per-image convolutions use a plain loop.
 */
final class ConvStep extends Step {
    private final int inH, inW, outC, outH, outW, sh, sw, nTaps;
    private final int[] taps1;
    private final int[] tapsBatch;
    /** Weights as [block of MR output channels][tap][MR], zero rows past the last channel. */
    private final float[] packed;
    private final float[] bias;
    private final Activation.Function act;
    /** The part of {@link #act} the kernels apply in registers, and the rest, applied afterwards. */
    private final int kernelAct;
    private final Activation.Function post;
    /** Fused pooling, or null; its window equals its stride and it has no padding. */
    private final PoolStep pool;
    /**
     * Channels per vector of the per-image path through {@link Kernels#convPositions} (stride 1, a
     * fused 2x2 pool, whole vectors of channels), or 0; then {@link #hwc} holds the weights as [tap][channel].
     */
    private final int hwcLanes;
    private final float[] hwc;

    ConvStep(Conv2d c, Shape in, Shape convOut, Activation.Function act, PoolStep pool, int lastLayer, Kernels k) {
        super(in, pool == null ? convOut : pool.out, lastLayer);
        this.inH = in.height();
        this.inW = in.width();
        this.outC = convOut.channels();
        this.outH = convOut.height();
        this.outW = convOut.width();
        this.sh = c.strideH();
        this.sw = c.strideW();
        this.act = act;
        this.kernelAct = kernelAct(act);
        this.post = this.kernelAct == Kernels.ACT_NONE ? act : Activation.Function.LINEAR;
        if (pool != null && post != Activation.Function.LINEAR) {
            throw new IllegalArgumentException("a pool fuses only after an activation the kernels apply: " + act);
        }
        this.pool = pool;
        int kh = c.kernelH(), kw = c.kernelW(), inC = in.channels();
        this.nTaps = inC * kh * kw;
        this.taps1 = new int[nTaps];
        this.tapsBatch = new int[nTaps];
        for (int ic = 0, t = 0; ic < inC; ic++) {
            for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++, t++) {
                    taps1[t] = (ic * inH + ky) * inW + kx;
                    tapsBatch[t] = taps1[t] * Plan.LANES;
                }
            }
        }
        this.packed = pack(c.weight().data(), outC, nTaps);
        this.bias = padBias(c.bias() == null ? null : c.bias().data(), outC);
        int lanes = k.channelLanes(kw);
        boolean hwcFits = lanes > 0 && outC % lanes == 0 && pool != null && pool.kernelH == 2 && pool.kernelW == 2 && sh == 1 && sw == 1;
        this.hwcLanes = hwcFits ? lanes : 0;
        this.hwc = hwcFits ? transpose(c.weight().data(), outC, nTaps) : null;
    }

    /** Row-major (out, taps) to (taps, out). */
    private static float[] transpose(float[] w, int outC, int nTaps) {
        float[] t = new float[w.length];
        for (int o = 0; o < outC; o++) {
            for (int i = 0; i < nTaps; i++) {
                t[i * outC + o] = w[o * nTaps + i];
            }
        }
        return t;
    }

    /** Row-major (out, taps) weights to [block][tap][MR]. */
    static float[] pack(float[] w, int outC, int nTaps) {
        int blocks = roundUp(outC, Kernels.MR) / Kernels.MR;
        float[] p = new float[blocks * nTaps * Kernels.MR];
        for (int o = 0; o < outC; o++) {
            int blk = o / Kernels.MR, j = o % Kernels.MR;
            for (int t = 0; t < nTaps; t++) {
                p[(blk * nTaps + t) * Kernels.MR + j] = w[o * nTaps + t];
            }
        }
        return p;
    }

    static float[] padBias(float[] b, int outC) {
        float[] p = new float[roundUp(outC, Kernels.MR)];
        if (b != null) {
            System.arraycopy(b, 0, p, 0, outC);
        }
        return p;
    }

    @Override
    void forward(float[] src, float[] dst, int lanes, Kernels k, Workspace ws) {
        if (lanes == 1 && hwcLanes > 0) {
            forwardImageHwc(src, dst, k, ws);
        } else if (lanes == 1 && pool != null && sh == 1 && sw == 1) {
            forwardImageWidePooled(src, dst, k, ws);
        } else if (lanes == 1) {
            float[] target = pool == null ? dst : ws.conv;
            forwardImage(src, target, k, ws);
            if (pool != null) {
                pool.forward(ws.conv, dst, 1, k, ws);
            }
        } else if (pool == null) {
            forwardBatch(src, dst, k, ws);
            activate(k, post, dst, 0, outC * outH * outW * Plan.LANES);
        } else {
            forwardBatchPooled(src, dst, k, ws);
        }
    }

    private void forwardBatch(float[] src, float[] dst, Kernels k, Workspace ws) {
        int plane = outH * outW, stride = plane * Plan.LANES;
        for (int oy = 0; oy < outH; oy++) {
            for (int ox = 0; ox < outW; ox++) {
                int base = (oy * sh * inW + ox * sw) * Plan.LANES;
                for (int c0 = 0; c0 < outC; c0 += Kernels.MR) {
                    k.convTile(src, base, tapsBatch, nTaps, packed, c0 * nTaps, bias, c0, rows(c0), Plan.LANES,
                            kernelAct, dst, (c0 * plane + oy * outW + ox) * Plan.LANES, stride, ws);
                }
            }
        }
    }

    /**
     * Per row of pooled outputs and block of channels: the conv outputs of the windows go to the
     * tile, are activated in one pass, and pooled into the output in PyTorch's order (sum, then
     * x 1/count). With stride 1 the conv outputs of a whole row of windows are adjacent chunks, so
     * one run of {@code pOutW * pw * 32} lanes computes a window row for all of them, and one
     * {@link Kernels#convTileRuns} all ph window rows (long loops: what the scalar kernels need to
     * vectorize; splitting it to stay in L1 measured no faster).
     * Tile layout: [channel][dy][window x][dx][image].
     */
    private void forwardBatchPooled(float[] src, float[] dst, Kernels k, Workspace ws) {
        int ph = pool.kernelH, pw = pool.kernelW, pOutW = pool.out.width();
        int plane = pool.out.height() * pOutW, stride = plane * Plan.LANES;
        float scale = 1f / (ph * pw);
        int rowStride = pooledRowLanes(), chStride = ph * rowStride;
        for (int py = 0; py < pool.out.height(); py++) {
            int rowBase = py * ph * sh * inW;
            for (int c0 = 0; c0 < outC; c0 += Kernels.MR) {
                int rows = rows(c0);
                if (sw == 1 && ph == 2 && pw == 2) {
                    k.convPool2x2(src, rowBase * Plan.LANES, sh * inW * Plan.LANES, tapsBatch, nTaps, packed, c0 * nTaps, bias, c0,
                            rows, rowStride, kernelAct, pool.max, dst, (c0 * plane + py * pOutW) * Plan.LANES, stride, ws);
                    continue;
                }
                if (sw == 1) {
                    k.convTileRuns(src, rowBase * Plan.LANES, sh * inW * Plan.LANES, ph, tapsBatch, nTaps, packed, c0 * nTaps,
                            bias, c0, rows, rowStride, Kernels.ACT_NONE, ws.tile, 0, chStride, ws);
                } else {
                    for (int dy = 0; dy < ph; dy++) {
                        for (int ox = 0; ox < pOutW * pw; ox++) {
                            k.convTile(src, (rowBase + dy * sh * inW + ox * sw) * Plan.LANES, tapsBatch, nTaps, packed, c0 * nTaps,
                                    bias, c0, rows, Plan.LANES, Kernels.ACT_NONE, ws.tile, dy * rowStride + ox * Plan.LANES, chStride, ws);
                        }
                    }
                }
                activate(k, act, ws.tile, 0, rows * chStride);
                for (int px = 0; px < pOutW; px++) {
                    k.poolParts(ws.tile, px * pw * Plan.LANES, ph, pw, rowStride, chStride, rows, pool.max, scale, dst,
                            (c0 * plane + py * pOutW + px) * Plan.LANES, stride);
                }
            }
        }
    }

    private void forwardImage(float[] src, float[] dst, Kernels k, Workspace ws) {
        int plane = outH * outW;
        if (sw != 1) {
            forwardImageStrided(src, dst);
            activate(k, act, dst, 0, outC * plane);
            return;
        }
        if (sh == 1) {
            forwardImageWide(src, dst, k, ws);
        } else {
            int rowLanes = roundUp(outW, k.imageLaneMultiple());
            for (int oy = 0; oy < outH; oy++) {
                for (int c0 = 0; c0 < outC; c0 += k.imageRows()) {
                    int rows = tileImage(src, oy * sh * inW, c0, rowLanes, k, ws);
                    for (int j = 0; j < rows; j++) {
                        System.arraycopy(ws.tile, j * ws.tileRow, dst, (c0 + j) * plane + oy * outW, outW);
                    }
                }
            }
        }
        activate(k, post, dst, 0, outC * plane);
    }

    /**
     * Stride 1: output (oy, ox) reads the input from {@code oy * inW + ox}, so one tile of the
     * consecutive "wide" positions {@code p = oy * inW + ox} covers the whole plane (lanes with
     * {@code ox >= outW} are computed and dropped): short rows (LeNet's 10) still fill whole vectors,
     * and the scalar kernels get the long loops they need.
     */
    private void forwardImageWide(float[] src, float[] dst, Kernels k, Workspace ws) {
        int plane = outH * outW;
        for (int c0 = 0; c0 < outC; c0 += k.imageRows()) {
            int rows = tileImage(src, 0, c0, wideLanes(k.imageLaneMultiple()), k, ws);
            for (int j = 0; j < rows; j++) {
                for (int oy = 0; oy < outH; oy++) {
                    System.arraycopy(ws.tile, j * ws.tileRow + oy * inW, dst, (c0 + j) * plane + oy * outW, outW);
                }
            }
        }
    }

    /** {@link #forwardImageWide} pooled straight from the tile (already activated: a pool fuses only after the kernels' activations). */
    private void forwardImageWidePooled(float[] src, float[] dst, Kernels k, Workspace ws) {
        int pooledPlane = pool.out.height() * pool.out.width();
        for (int c0 = 0; c0 < outC; c0 += k.imageRows()) {
            int rows = tileImage(src, 0, c0, wideLanes(k.imageLaneMultiple()), k, ws);
            pool.forwardImage(ws.tile, 0, inW, ws.tileRow, rows, dst, c0 * pooledPlane, k);
        }
    }

    /**
     * Per image with channels as lanes: each output row the pool reads, a block of channels at a
     * time, into the tile as [row][column][channel]; pooled from there to CHW.
     */
    private void forwardImageHwc(float[] src, float[] dst, Kernels k, Workspace ws) {
        int ph = pool.out.height(), pw = pool.out.width(), cols = 2 * pw;
        for (int c0 = 0; c0 < outC; c0 += hwcLanes) {
            for (int oy = 0; oy < 2 * ph; oy++) {
                k.convPositions(src, oy * inW, taps1, nTaps, hwc, c0, outC, bias, c0, cols, kernelAct, ws.tile, oy * cols * hwcLanes);
            }
            k.poolPositions2x2(ws.tile, cols, ph, pw, pool.max, ws.tile, hwcTile(), dst, c0 * ph * pw, ph * pw);
        }
    }

    /** Floats of one channel block's convolution tile in {@link #forwardImageHwc}; its pooled tile follows. */
    private int hwcTile() {
        return 4 * pool.out.height() * pool.out.width() * hwcLanes;
    }

    /** Wide positions of one image's plane, rounded up to whole vectors. */
    private int wideLanes(int multiple) {
        return roundUp((outH - 1) * inW + outW, multiple);
    }

    /** Channels c0.. of one image's tile into ws.tile; returns how many channels are real. */
    private int tileImage(float[] src, int base, int c0, int lanes, Kernels k, Workspace ws) {
        int rows = Math.min(k.imageRows(), outC - c0);
        k.convTileImage(src, base, taps1, nTaps, packed, c0 * nTaps, bias, c0, rows, lanes, kernelAct, ws.tile, 0, ws.tileRow, ws);
        return rows;
    }

    /** Column-strided convolution of one image: a dot product per output, not activated. */
    private void forwardImageStrided(float[] src, float[] dst) {
        int plane = outH * outW;
        for (int c = 0; c < outC; c++) {
            int w0 = (c / Kernels.MR) * nTaps * Kernels.MR + c % Kernels.MR;
            for (int oy = 0; oy < outH; oy++) {
                for (int ox = 0; ox < outW; ox++) {
                    int base = oy * sh * inW + ox * sw;
                    float s = bias[c];
                    for (int t = 0; t < nTaps; t++) {
                        s += packed[w0 + t * Kernels.MR] * src[base + taps1[t]];
                    }
                    dst[c * plane + oy * outW + ox] = s;
                }
            }
        }
    }

    private int rows(int c0) {
        return Math.min(Kernels.MR, outC - c0);
    }

    @Override
    int tileSize() {
        int hwcSize = hwcLanes == 0 ? 0 : hwcTile() + hwcTile() / 4;
        return pool == null ? 0 : Math.max(hwcSize, pool.kernelH * Kernels.MR * pooledRowLanes());
    }

    @Override
    int runLanes() {
        return pool == null ? 0 : pool.kernelH * pooledRowLanes();
    }

    /** Lanes of one window row across all pooled outputs of a row. */
    private int pooledRowLanes() {
        return pool.out.width() * pool.kernelW * Plan.LANES;
    }

    @Override
    int convScratch() {
        // Per image, a stride-1 convolution pools straight from its tile.
        return pool == null || (sh == 1 && sw == 1) ? 0 : outC * outH * outW;
    }

    @Override
    int tileLanes() {
        int pooled = pool == null ? 0 : pooledRowLanes();
        int image = sh == 1 && sw == 1 ? wideLanes(Kernels.LANE_MULTIPLE) : roundUp(outW, Kernels.LANE_MULTIPLE);
        return Math.max(Math.max(Plan.LANES, pooled), image);
    }
}
