package lenet5.layers;

import lenet5.ArchitectureMismatchException;
import lenet5.tensor.Shape;
import lenet5.tensor.Tensor;

import java.util.List;

/**
 * Inference-time batch normalization over channels:
 * {@code y = (x - mean) / sqrt(var + eps) * gamma + beta}. Weights in PyTorch's order
 * (weight=gamma, bias=beta, running_mean, running_var), which is also Keras's order.
 */
public record BatchNorm(String name, int channels, double epsilon, Tensor gamma, Tensor beta,
                        Tensor mean, Tensor variance) implements Layer {
    public BatchNorm {
        for (Tensor t : new Tensor[] {gamma, beta, mean, variance}) {
            Layers.checkShape(name, "parameter", t, channels);
        }
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

    @Override
    public BatchNorm withWeights(List<Tensor> w) {
        Layers.checkCount(name, w, 4);
        return new BatchNorm(name, channels, epsilon, w.get(0), w.get(1), w.get(2), w.get(3));
    }

    @Override
    public BatchNorm withName(String newName) {
        return new BatchNorm(newName, channels, epsilon, gamma, beta, mean, variance);
    }

    @Override
    public String describe() {
        return "BatchNorm(" + channels + ", eps " + epsilon + ")";
    }
}
