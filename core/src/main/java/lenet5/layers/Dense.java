package lenet5.layers;

import lenet5.ArchitectureMismatchException;
import lenet5.tensor.Shape;
import lenet5.tensor.Tensor;

import java.util.List;

/**
 * Fully connected layer, {@code y = W x + b}.
 *
 * @param weight {@code (out, in)} (PyTorch's Linear layout)
 * @param bias   {@code (out)}, or {@code null}
 */
public record Dense(String name, int inFeatures, int outFeatures, Tensor weight, Tensor bias) implements Layer {
    public Dense {
        if (inFeatures <= 0 || outFeatures <= 0) {
            throw new ArchitectureMismatchException(name + ": features must be positive");
        }
        Layers.checkShape(name, "weight", weight, outFeatures, inFeatures);
        if (bias != null) {
            Layers.checkShape(name, "bias", bias, outFeatures);
        }
    }

    public static Dense of(String name, int in, int out, boolean bias) {
        return new Dense(name, in, out, Tensor.zeros(out, in), bias ? Tensor.zeros(out) : null);
    }

    @Override
    public Shape outputShape(Shape in) {
        if (!in.flat() && !(in.height() == 1 && in.width() == 1)) {
            throw new ArchitectureMismatchException(name + ": Dense needs a flat input (add a Flatten), got " + in);
        }
        if (in.channels() != inFeatures) {
            throw new ArchitectureMismatchException(name + ": Dense expects " + inFeatures + " input features, got " + in.size());
        }
        return Shape.flat(outFeatures);
    }

    @Override
    public List<Tensor> weights() {
        return bias == null ? List.of(weight) : List.of(weight, bias);
    }

    @Override
    public Dense withWeights(List<Tensor> w) {
        Layers.checkCount(name, w, weights().size());
        return new Dense(name, inFeatures, outFeatures, w.get(0), bias == null ? null : w.get(1));
    }

    @Override
    public Dense withName(String newName) {
        return new Dense(newName, inFeatures, outFeatures, weight, bias);
    }

    @Override
    public String describe() {
        return "Dense(" + inFeatures + "->" + outFeatures + (bias == null ? ", no bias" : "") + ")";
    }
}
