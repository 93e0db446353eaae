package lenet5.kernels;

import lenet5.layers.Pool2d;
import lenet5.tensor.Shape;

/** Max or average pooling per channel, with PyTorch's and Keras's padding rules, for any lane count. */
final class PoolStep extends Step {
    final int kernelH, kernelW;
    final boolean max;
    private final int c, inH, inW, outH, outW, sh, sw, padTop, padLeft, padBottom, padRight;
    private final boolean countIncludePad;

    PoolStep(Pool2d p, Shape in, Shape out, int lastLayer) {
        super(in, out, lastLayer);
        this.c = in.channels();
        this.inH = in.height();
        this.inW = in.width();
        this.outH = out.height();
        this.outW = out.width();
        this.kernelH = p.kernelH();
        this.kernelW = p.kernelW();
        this.sh = p.strideH();
        this.sw = p.strideW();
        this.padTop = p.padding().top();
        this.padLeft = p.padding().left();
        this.padBottom = p.padding().bottom();
        this.padRight = p.padding().right();
        this.max = p.kind() == Pool2d.Kind.MAX;
        this.countIncludePad = p.countIncludePad();
    }

    /** Whether a convolution can produce this pool's output directly: disjoint windows, no padding. */
    static boolean fusable(Pool2d p, Shape convOut, Shape poolOut) {
        return p.padding().isZero() && p.kernelH() == p.strideH() && p.kernelW() == p.strideW()
                && poolOut.height() * p.kernelH() <= convOut.height() && poolOut.width() * p.kernelW() <= convOut.width();
    }

    @Override
    void forward(float[] src, float[] dst, int lanes, Kernels k, Workspace ws) {
        if (lanes == 1) {
            forwardImage(src, 0, inW, inH * inW, c, dst, 0, k);
            return;
        }
        for (int ch = 0; ch < c; ch++) {
            for (int oy = 0; oy < outH; oy++) {
                int y0 = oy * sh - padTop;
                int yStart = Math.max(y0, 0), yEnd = Math.min(y0 + kernelH, inH);
                for (int ox = 0; ox < outW; ox++) {
                    int x0 = ox * sw - padLeft;
                    int xStart = Math.max(x0, 0), xEnd = Math.min(x0 + kernelW, inW);
                    int d = ((ch * outH + oy) * outW + ox) * lanes;
                    window(src, dst, d, ch, yStart, yEnd, xStart, xEnd, lanes);
                    if (!max) {
                        int count = count(y0, x0, yStart, yEnd, xStart, xEnd);
                        for (int b = 0; b < lanes; b++) {
                            dst[d + b] /= count;
                        }
                    }
                }
            }
        }
    }

    /**
     * {@code channels} channels of one image, plain loops (a lane loop of length one would cost more
     * than the work). Input value (ch, y, x) is at {@code src[sOff + ch*chStride + y*rowStride + x]}
     * (a convolution's wide tile has rows longer than the map); output is CHW from {@code dOff}.
     */
    void forwardImage(float[] src, int sOff, int rowStride, int chStride, int channels, float[] dst, int dOff, Kernels k) {
        // Not with padding at the bottom/right either (Keras 'same' on an odd size): the kernels read no window edge.
        if (kernelH == 2 && kernelW == 2 && sh == 2 && sw == 2 && padTop == 0 && padLeft == 0 && padBottom == 0 && padRight == 0) {
            k.poolImage2x2(src, sOff, rowStride, chStride, channels, outH, outW, max, dst, dOff);
            return;
        }
        for (int ch = 0, d = dOff; ch < channels; ch++) {
            int plane = sOff + ch * chStride;
            for (int oy = 0; oy < outH; oy++) {
                int y0 = oy * sh - padTop;
                int yStart = Math.max(y0, 0), yEnd = Math.min(y0 + kernelH, inH);
                for (int ox = 0; ox < outW; ox++, d++) {
                    int x0 = ox * sw - padLeft;
                    int xStart = Math.max(x0, 0), xEnd = Math.min(x0 + kernelW, inW);
                    // Starting from -inf (max) or 0 (sum) gives the same result as starting from the first value.
                    float r = max ? Float.NEGATIVE_INFINITY : 0f;
                    for (int y = yStart; y < yEnd; y++) {
                        for (int x = xStart, s = plane + y * rowStride + xStart; x < xEnd; x++, s++) {
                            r = max ? Math.max(r, src[s]) : r + src[s];
                        }
                    }
                    dst[d] = max ? r : r / count(y0, x0, yStart, yEnd, xStart, xEnd);
                }
            }
        }
    }

    /** The divisor of an average window. */
    private int count(int y0, int x0, int yStart, int yEnd, int xStart, int xEnd) {
        if (countIncludePad) {
            // PyTorch counts padding but not the part of a window past the padding (ceil_mode).
            return (Math.min(y0 + kernelH, inH + padBottom) - y0) * (Math.min(x0 + kernelW, inW + padRight) - x0);
        }
        return (yEnd - yStart) * (xEnd - xStart);
    }

    /** dst[d..d+lanes) = max or sum over the window, in row-major window order as PyTorch does. */
    private void window(float[] src, float[] dst, int d, int ch, int yStart, int yEnd, int xStart, int xEnd, int lanes) {
        boolean first = true;
        for (int y = yStart; y < yEnd; y++) {
            for (int x = xStart; x < xEnd; x++) {
                int s = ((ch * inH + y) * inW + x) * lanes;
                if (first) {
                    System.arraycopy(src, s, dst, d, lanes);
                    first = false;
                } else if (max) {
                    for (int b = 0; b < lanes; b++) {
                        dst[d + b] = Math.max(dst[d + b], src[s + b]);
                    }
                } else {
                    for (int b = 0; b < lanes; b++) {
                        dst[d + b] += src[s + b];
                    }
                }
            }
        }
        if (first) {
            // A window entirely in the padding (possible only with extreme padding): PyTorch gives -inf / 0.
            java.util.Arrays.fill(dst, d, d + lanes, max ? Float.NEGATIVE_INFINITY : 0f);
        }
    }
}
