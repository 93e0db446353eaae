package lenet5.kernels;

import lenet5.layers.BatchNorm;
import lenet5.tensor.Shape;

/** Inference batch norm folded into one scale and shift per channel. */
final class BatchNormOp implements Op {
    private final int channels, spatial, layer;
    private final float[] scale, shift;

    BatchNormOp(BatchNorm bn, Shape shape, int layer) {
        this.channels = shape.channels();
        this.spatial = shape.height() * shape.width();
        this.layer = layer;
        this.scale = new float[channels];
        this.shift = new float[channels];
        for (int c = 0; c < channels; c++) {
            double s = bn.gamma().data()[c] / Math.sqrt(bn.variance().data()[c] + bn.epsilon());
            scale[c] = (float) s;
            shift[c] = (float) (bn.beta().data()[c] - bn.mean().data()[c] * s);
        }
    }

    @Override
    public int inSize() {
        return channels * spatial;
    }

    @Override
    public int outSize() {
        return channels * spatial;
    }

    @Override
    public int lastLayer() {
        return layer;
    }

    @Override
    public boolean inPlace() {
        return true;
    }

    @Override
    public void forward(float[] in, float[] out, int n) {
        for (int b = 0; b < n; b++) {
            for (int c = 0; c < channels; c++) {
                int base = (b * channels + c) * spatial;
                for (int p = 0; p < spatial; p++) {
                    out[base + p] = in[base + p] * scale[c] + shift[c];
                }
            }
        }
    }
}
