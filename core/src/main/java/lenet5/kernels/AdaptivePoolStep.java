package lenet5.kernels;

import lenet5.layers.AdaptivePool2d;
import lenet5.layers.Pool2d;
import lenet5.tensor.Shape;

/** Adaptive (and global) pooling: windows from PyTorch's floor/ceil rule; averages summed in double. */
final class AdaptivePoolStep extends Step {
    private final boolean max;

    AdaptivePoolStep(AdaptivePool2d p, Shape in, Shape out, int lastLayer) {
        super(in, out, lastLayer);
        this.max = p.kind() == Pool2d.Kind.MAX;
    }

    @Override
    void forward(float[] src, float[] dst, int lanes, Kernels k, Workspace ws) {
        int inH = in.height(), inW = in.width(), outH = out.height(), outW = out.width();
        for (int ch = 0; ch < in.channels(); ch++) {
            for (int oy = 0; oy < outH; oy++) {
                int y0 = AdaptivePool2d.start(oy, inH, outH), y1 = AdaptivePool2d.end(oy, inH, outH);
                for (int ox = 0; ox < outW; ox++) {
                    int x0 = AdaptivePool2d.start(ox, inW, outW), x1 = AdaptivePool2d.end(ox, inW, outW);
                    int d = ((ch * outH + oy) * outW + ox) * lanes;
                    int count = (y1 - y0) * (x1 - x0);
                    for (int b = 0; b < lanes; b++) {
                        double sum = 0;
                        float m = Float.NEGATIVE_INFINITY;
                        for (int y = y0; y < y1; y++) {
                            for (int x = x0, s = ((ch * inH + y) * inW + x0) * lanes + b; x < x1; x++, s += lanes) {
                                float v = src[s];
                                // NaN propagates, as in PyTorch's max pooling
                                m = v > m || Float.isNaN(v) ? v : m;
                                sum += v;
                            }
                        }
                        dst[d + b] = max ? m : (float) (sum / count);
                    }
                }
            }
        }
    }
}
