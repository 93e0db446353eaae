package lenet5.kernels;

import lenet5.layers.Activation.Function;
import lenet5.tensor.Shape;

/** An activation that could not be fused into the layer before it; softmax runs over channels. */
final class ActivationStep extends Step {
    private final Function function;

    ActivationStep(Function function, Shape shape, int lastLayer) {
        super(shape, shape, lastLayer);
        this.function = function;
    }

    @Override
    boolean inPlace() {
        return true;
    }

    @Override
    void forward(float[] src, float[] dst, int lanes, Kernels k, Workspace ws) {
        if (function == Function.SOFTMAX) {
            softmax(src, dst, lanes);
        } else {
            activate(k, function, dst, 0, in.size() * lanes);
        }
    }

    /** Over the channels at each position and lane, in double like PyTorch's accumulation, to stay within 1e-7. */
    private void softmax(float[] in, float[] out, int lanes) {
        int channels = this.in.channels(), stride = this.in.height() * this.in.width() * lanes;
        for (int p = 0; p < stride; p++) {
            float max = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < channels; c++) {
                max = Math.max(max, in[c * stride + p]);
            }
            double sum = 0;
            for (int c = 0; c < channels; c++) {
                sum += Math.exp(in[c * stride + p] - max);
            }
            for (int c = 0; c < channels; c++) {
                int i = c * stride + p;
                out[i] = (float) (Math.exp(in[i] - max) / sum);
            }
        }
    }
}
