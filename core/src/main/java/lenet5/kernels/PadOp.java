package lenet5.kernels;

import lenet5.layers.ZeroPad2d;
import lenet5.tensor.Shape;

import java.util.Arrays;

/** Copies each plane into the middle of a zeroed, larger plane. */
final class PadOp implements Op {
    private final int c, inH, inW, outH, outW, top, left, layer;

    PadOp(ZeroPad2d z, Shape in, Shape out, int layer) {
        this.c = in.channels();
        this.inH = in.height();
        this.inW = in.width();
        this.outH = out.height();
        this.outW = out.width();
        this.top = z.padding().top();
        this.left = z.padding().left();
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
        Arrays.fill(out, 0, n * outSize(), 0f);
        for (int p = 0; p < n * c; p++) {
            for (int y = 0; y < inH; y++) {
                System.arraycopy(in, (p * inH + y) * inW, out, p * outH * outW + (y + top) * outW + left, inW);
            }
        }
    }
}
