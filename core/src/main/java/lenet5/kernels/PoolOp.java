package lenet5.kernels;

import lenet5.layers.Pool2d;
import lenet5.tensor.Shape;

/** Max or average pooling per channel, with PyTorch's and Keras's padding rules. */
final class PoolOp implements Op {
    private final int c, inH, inW, outH, outW, kh, kw, sh, sw, padTop, padLeft, padBottom, padRight, layer;
    private final boolean max, countIncludePad;

    PoolOp(Pool2d p, Shape in, Shape out, int layer) {
        this.c = in.channels();
        this.inH = in.height();
        this.inW = in.width();
        this.outH = out.height();
        this.outW = out.width();
        this.kh = p.kernelH();
        this.kw = p.kernelW();
        this.sh = p.strideH();
        this.sw = p.strideW();
        this.padTop = p.padding().top();
        this.padLeft = p.padding().left();
        this.padBottom = p.padding().bottom();
        this.padRight = p.padding().right();
        this.max = p.kind() == Pool2d.Kind.MAX;
        this.countIncludePad = p.countIncludePad();
        this.layer = layer;
    }

    @Override
    public int inSize() {
        return c * inH * inW;
    }

    @Override
    public int outSize() {
        return c * outH * outW;
    }

    @Override
    public int lastLayer() {
        return layer;
    }

    @Override
    public void forward(float[] in, float[] out, int n) {
        int planes = n * c;
        for (int p = 0; p < planes; p++) {
            int i0 = p * inH * inW, o0 = p * outH * outW;
            for (int oy = 0; oy < outH; oy++) {
                int y0 = oy * sh - padTop;
                int yStart = Math.max(y0, 0), yEnd = Math.min(y0 + kh, inH);
                for (int ox = 0; ox < outW; ox++) {
                    int x0 = ox * sw - padLeft;
                    int xStart = Math.max(x0, 0), xEnd = Math.min(x0 + kw, inW);
                    float r;
                    if (max) {
                        r = Float.NEGATIVE_INFINITY;
                        for (int y = yStart; y < yEnd; y++) {
                            for (int x = xStart; x < xEnd; x++) {
                                float v = in[i0 + y * inW + x];
                                // NaN propagates, as in PyTorch.
                                if (v > r || Float.isNaN(v)) {
                                    r = v;
                                }
                            }
                        }
                    } else {
                        float sum = 0f;
                        for (int y = yStart; y < yEnd; y++) {
                            for (int x = xStart; x < xEnd; x++) {
                                sum += in[i0 + y * inW + x];
                            }
                        }
                        int count;
                        if (countIncludePad) {
                            // PyTorch counts padding but not the part of a window past the padding (ceil_mode).
                            int ye = Math.min(y0 + kh, inH + padBottom), xe = Math.min(x0 + kw, inW + padRight);
                            count = (ye - y0) * (xe - x0);
                        } else {
                            count = (yEnd - yStart) * (xEnd - xStart);
                        }
                        r = sum / count;
                    }
                    out[o0 + oy * outW + ox] = r;
                }
            }
        }
    }
}
