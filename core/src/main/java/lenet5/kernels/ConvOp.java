package lenet5.kernels;

import lenet5.layers.Conv2d;
import lenet5.layers.Padding;
import lenet5.tensor.Shape;

/** Direct convolution, per image, accumulating one weight tap at a time over an output row. */
final class ConvOp implements Op {
    private final int inC, inH, inW, outC, outH, outW, kh, kw, sh, sw, padTop, padLeft, layer;
    private final float[] weight;
    private final float[] bias;

    ConvOp(Conv2d c, Shape in, Shape out, int layer) {
        this.inC = in.channels();
        this.inH = in.height();
        this.inW = in.width();
        this.outC = out.channels();
        this.outH = out.height();
        this.outW = out.width();
        this.kh = c.kernelH();
        this.kw = c.kernelW();
        this.sh = c.strideH();
        this.sw = c.strideW();
        Padding p = c.padding();
        this.padTop = p.top();
        this.padLeft = p.left();
        this.weight = c.weight().data();
        this.bias = c.bias() == null ? null : c.bias().data();
        this.layer = layer;
    }

    @Override
    public int inSize() {
        return inC * inH * inW;
    }

    @Override
    public int outSize() {
        return outC * outH * outW;
    }

    @Override
    public int lastLayer() {
        return layer;
    }

    @Override
    public void forward(float[] in, float[] out, int n) {
        int inSize = inSize(), outSize = outSize(), plane = outH * outW;
        for (int b = 0; b < n; b++) {
            int ib = b * inSize, ob = b * outSize;
            for (int oc = 0; oc < outC; oc++) {
                int o0 = ob + oc * plane;
                float bv = bias == null ? 0f : bias[oc];
                for (int i = 0; i < plane; i++) {
                    out[o0 + i] = bv;
                }
                for (int ic = 0; ic < inC; ic++) {
                    int i0 = ib + ic * inH * inW;
                    int w0 = (oc * inC + ic) * kh * kw;
                    for (int ky = 0; ky < kh; ky++) {
                        for (int kx = 0; kx < kw; kx++) {
                            float w = weight[w0 + ky * kw + kx];
                            // Output columns whose input column ox*sw - padLeft + kx lies inside the image.
                            int xOff = kx - padLeft;
                            int oxStart = Math.max(0, ceilDiv(-xOff, sw));
                            int oxEnd = Math.min(outW, ceilDiv(inW - xOff, sw));
                            for (int oy = 0; oy < outH; oy++) {
                                int iy = oy * sh - padTop + ky;
                                if (iy < 0 || iy >= inH) {
                                    continue;
                                }
                                int orow = o0 + oy * outW;
                                int irow = i0 + iy * inW + xOff;
                                for (int ox = oxStart; ox < oxEnd; ox++) {
                                    out[orow + ox] += w * in[irow + ox * sw];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }
}
