package lenet5.kernels;

import lenet5.layers.BatchNorm;
import lenet5.layers.Rescaling;
import lenet5.tensor.Shape;

/** Inference batch norm folded into one scale and shift per channel; also Rescaling (one scale and shift for all). */
final class BatchNormStep extends Step {
    private final float[] scale, shift;

    BatchNormStep(BatchNorm bn, Shape shape, int lastLayer) {
        super(shape, shape, lastLayer);
        int channels = shape.channels();
        this.scale = new float[channels];
        this.shift = new float[channels];
        for (int c = 0; c < channels; c++) {
            double s = bn.gamma().data()[c] / Math.sqrt(bn.variance().data()[c] + bn.epsilon());
            scale[c] = (float) s;
            shift[c] = (float) (bn.beta().data()[c] - bn.mean().data()[c] * s);
        }
    }

    BatchNormStep(Rescaling r, Shape shape, int lastLayer) {
        super(shape, shape, lastLayer);
        this.scale = new float[shape.channels()];
        this.shift = new float[shape.channels()];
        java.util.Arrays.fill(scale, r.scale());
        java.util.Arrays.fill(shift, r.offset());
    }

    @Override
    boolean inPlace() {
        return true;
    }

    @Override
    void forward(float[] src, float[] dst, int lanes, Kernels k, Workspace ws) {
        int len = in.height() * in.width() * lanes;
        for (int c = 0; c < scale.length; c++) {
            float s = scale[c], t = shift[c];
            for (int i = c * len; i < (c + 1) * len; i++) {
                dst[i] = src[i] * s + t;
            }
        }
    }
}
