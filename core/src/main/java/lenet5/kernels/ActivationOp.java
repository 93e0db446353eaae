package lenet5.kernels;

import lenet5.layers.Activation.Function;
import lenet5.tensor.Shape;

/** Element-wise activations, and softmax over channels at each spatial position. */
final class ActivationOp implements Op {
    private final Function function;
    private final int channels, spatial, layer;

    ActivationOp(Function function, Shape shape, int layer) {
        this.function = function;
        this.channels = shape.channels();
        this.spatial = shape.height() * shape.width();
        this.layer = layer;
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
        int len = n * channels * spatial;
        switch (function) {
            case LINEAR -> System.arraycopy(in, 0, out, 0, len);
            case RELU -> {
                for (int i = 0; i < len; i++) {
                    out[i] = Math.max(in[i], 0f);
                }
            }
            case TANH -> {
                for (int i = 0; i < len; i++) {
                    out[i] = (float) Math.tanh(in[i]);
                }
            }
            case SIGMOID -> {
                for (int i = 0; i < len; i++) {
                    out[i] = (float) (1.0 / (1.0 + Math.exp(-in[i])));
                }
            }
            case SOFTMAX -> softmax(in, out, n);
        }
    }

    private void softmax(float[] in, float[] out, int n) {
        for (int b = 0; b < n; b++) {
            int base = b * channels * spatial;
            for (int p = 0; p < spatial; p++) {
                float max = Float.NEGATIVE_INFINITY;
                for (int c = 0; c < channels; c++) {
                    max = Math.max(max, in[base + c * spatial + p]);
                }
                double sum = 0;
                for (int c = 0; c < channels; c++) {
                    sum += Math.exp(in[base + c * spatial + p] - max);
                }
                for (int c = 0; c < channels; c++) {
                    int i = base + c * spatial + p;
                    out[i] = (float) (Math.exp(in[i] - max) / sum);
                }
            }
        }
    }
}
