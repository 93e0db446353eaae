package lenet5.kernels;

import lenet5.layers.Padding;
import lenet5.tensor.Shape;

import java.util.Arrays;

/** Copies each row into the middle of a zeroed, larger plane (ZeroPad2d, and a padded convolution's input). */
final class PadStep extends Step {
    private final int top, left;

    PadStep(Padding p, Shape in, int lastLayer) {
        super(in, Shape.chw(in.channels(), in.height() + p.top() + p.bottom(), in.width() + p.left() + p.right()), lastLayer);
        this.top = p.top();
        this.left = p.left();
    }

    @Override
    void forward(float[] src, float[] dst, int lanes, Kernels k, Workspace ws) {
        int inH = in.height(), inW = in.width(), outH = out.height(), outW = out.width();
        Arrays.fill(dst, 0, out.size() * lanes, 0f);
        for (int p = 0; p < in.channels(); p++) {
            for (int y = 0; y < inH; y++) {
                System.arraycopy(src, (p * inH + y) * inW * lanes, dst, ((p * outH + y + top) * outW + left) * lanes, inW * lanes);
            }
        }
    }
}
