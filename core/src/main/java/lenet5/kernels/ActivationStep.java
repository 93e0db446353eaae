package lenet5.kernels;

import lenet5.layers.Activation;
import lenet5.layers.Activation.Function;
import lenet5.tensor.Shape;

/** An activation that could not be fused into the layer before it; (log-)softmax runs over channels. */
final class ActivationStep extends Step {
    private final Activation activation;

    ActivationStep(Activation activation, Shape shape, int lastLayer) {
        super(shape, shape, lastLayer);
        this.activation = activation;
    }

    @Override
    boolean inPlace() {
        return true;
    }

    @Override
    void forward(float[] src, float[] dst, int lanes, Kernels k, Workspace ws) {
        Function f = activation.function();
        if (!f.elementwise()) {
            int channels = in.channels(), stride = in.height() * in.width() * lanes;
            for (int p = 0; p < stride; p++) {
                if (f == Function.SOFTMAX) {
                    softmax(src, dst, p, channels, stride);
                } else {
                    ActivationMath.logSoftmax(src, dst, p, channels, stride);
                }
            }
        } else if (fastPath(f)) {
            activate(k, f, dst, 0, in.size() * lanes);
        } else {
            ActivationMath.apply(activation, dst, 0, in.size() * lanes);
        }
    }

    /** The activations {@link Step#activate} runs (tanh and relu in the kernels). */
    static boolean fastPath(Function f) {
        return f == Function.TANH || f == Function.RELU || f == Function.SIGMOID || f == Function.LINEAR;
    }

    /** Over the channels at one position and lane, in double like PyTorch's accumulation, to stay within 1e-7. */
    private static void softmax(float[] in, float[] out, int base, int channels, int stride) {
        float max = Float.NEGATIVE_INFINITY;
        for (int c = 0; c < channels; c++) {
            max = Math.max(max, in[base + c * stride]);
        }
        double sum = 0;
        for (int c = 0; c < channels; c++) {
            sum += Math.exp(in[base + c * stride] - max);
        }
        for (int c = 0; c < channels; c++) {
            int i = base + c * stride;
            out[i] = (float) (Math.exp(in[i] - max) / sum);
        }
    }
}
