package lenet5.layers;

import lenet5.ArchitectureMismatchException;
import lenet5.tensor.Shape;
import lenet5.tensor.Tensor;

import java.util.List;

/**
 * Inference-time batch normalization over channels:
 * {@code y = (x - mean) / sqrt(var + eps) * gamma + beta}. Weights in PyTorch's order
 * (weight=gamma, bias=beta, running_mean, running_var), which is also Keras's order.
 *
 * @param affine whether gamma and beta are learned parameters of the file (PyTorch's
 *               {@code affine=True}, Keras's {@code scale}/{@code center}); without them
 *               (PyTorch's {@code affine=False}) gamma is 1 and beta 0, and writers store only
 *               the running statistics
 */
public record BatchNorm(String name, int channels, double epsilon, Tensor gamma, Tensor beta,
                        Tensor mean, Tensor variance, boolean affine) implements Layer {
    public BatchNorm {
        for (Tensor t : new Tensor[] {gamma, beta, mean, variance}) {
            Layers.checkShape(name, "parameter", t, channels);
        }
        if (!affine && !identity(gamma, beta)) {
            throw new IllegalArgumentException(name + ": a BatchNorm without affine parameters has gamma 1 and beta 0");
        }
    }

    /** A batch norm with learned gamma and beta. */
    public BatchNorm(String name, int channels, double epsilon, Tensor gamma, Tensor beta, Tensor mean, Tensor variance) {
        this(name, channels, epsilon, gamma, beta, mean, variance, true);
    }

    /** A batch norm without affine parameters (PyTorch's {@code affine=False}): gamma 1, beta 0. */
    public static BatchNorm withoutAffine(String name, int channels, double epsilon, Tensor mean, Tensor variance) {
        return new BatchNorm(name, channels, epsilon, Tensor.full(1f, channels), Tensor.zeros(channels), mean, variance, false);
    }

    private static boolean identity(Tensor gamma, Tensor beta) {
        for (float g : gamma.data()) {
            if (g != 1f) {
                return false;
            }
        }
        for (float b : beta.data()) {
            if (b != 0f) {
                return false;
            }
        }
        return true;
    }

    @Override
    public Shape outputShape(Shape in) {
        if (in.channels() != channels) {
            throw new ArchitectureMismatchException(name + ": BatchNorm expects " + channels + " channels, got " + in);
        }
        return in;
    }

    @Override
    public List<Tensor> weights() {
        return List.of(gamma, beta, mean, variance);
    }

    /** Without affine parameters a file stores only the statistics. */
    @Override
    public long parameterCount() {
        return (affine ? 4L : 2L) * channels;
    }

    /** Keeps {@code affine=false} only while gamma stays 1 and beta 0. */
    @Override
    public BatchNorm withWeights(List<Tensor> w) {
        Layers.checkCount(name, w, 4);
        return new BatchNorm(name, channels, epsilon, w.get(0), w.get(1), w.get(2), w.get(3), affine || !identity(w.get(0), w.get(1)));
    }

    @Override
    public BatchNorm withName(String newName) {
        return new BatchNorm(newName, channels, epsilon, gamma, beta, mean, variance, affine);
    }

    @Override
    public String describe() {
        return "BatchNorm(" + channels + ", eps " + epsilon + (affine ? "" : ", affine=False") + ")";
    }
}
