package lenet5.kernels;

import lenet5.layers.Dense;

/** {@code y = W x + b} per sample, W row-major (out, in) so each output is one contiguous dot product. */
final class DenseOp implements Op {
    private final int in, out, layer;
    private final float[] weight;
    private final float[] bias;

    DenseOp(Dense d, int layer) {
        this.in = d.inFeatures();
        this.out = d.outFeatures();
        this.weight = d.weight().data();
        this.bias = d.bias() == null ? null : d.bias().data();
        this.layer = layer;
    }

    @Override
    public int inSize() {
        return in;
    }

    @Override
    public int outSize() {
        return out;
    }

    @Override
    public int lastLayer() {
        return layer;
    }

    @Override
    public void forward(float[] x, float[] y, int n) {
        for (int b = 0; b < n; b++) {
            int xb = b * in, yb = b * out;
            for (int o = 0; o < out; o++) {
                int w0 = o * in;
                float s = 0f;
                for (int i = 0; i < in; i++) {
                    s += weight[w0 + i] * x[xb + i];
                }
                y[yb + o] = bias == null ? s : s + bias[o];
            }
        }
    }
}
