package lenet5.layers;

import lenet5.tensor.Shape;
import lenet5.tensor.Tensor;

import java.util.List;

/**
 * One step of a {@link lenet5.model.Sequential} model, described in the engine's canonical
 * convention: activations NCHW, flatten in (C,H,W) order, convolution weights
 * {@code (out, in, kh, kw)} and dense weights {@code (out, in)} (the PyTorch convention).
 * Readers of other conventions convert once at load time with {@link lenet5.layout.WeightLayouts}.
 *
 * <p>Layers are immutable descriptions; the arithmetic lives in the engine ({@code lenet5.kernels}).
 */
public sealed interface Layer permits Conv2d, Pool2d, AdaptivePool2d, ZeroPad2d, Flatten, Dense, Activation, Dropout,
        BatchNorm, Rescaling {
    /** The name the source file gave this layer ("0", "conv2d_1"), used in messages and when writing. */
    String name();

    /** The output shape for one sample, or an {@link lenet5.ArchitectureMismatchException} if the input does not fit. */
    Shape outputShape(Shape input);

    /**
     * The layer's tensors in the order frameworks list them (weight before bias; a batch norm's
     * statistics after its gamma and beta). Empty for weightless layers.
     */
    default List<Tensor> weights() {
        return List.of();
    }

    /**
     * The values a file stores for this layer, as Keras's {@code count_params()} counts them
     * (batch-norm statistics included, which PyTorch's {@code parameters()} leaves out).
     */
    default long parameterCount() {
        return weights().stream().mapToLong(Tensor::size).sum();
    }

    /** The same layer with its weights replaced, in {@link #weights()} order; shapes must match. */
    default Layer withWeights(List<Tensor> newWeights) {
        if (!newWeights.isEmpty()) {
            throw new IllegalArgumentException(name() + " has no weights");
        }
        return this;
    }

    /** The same layer under another name. */
    Layer withName(String newName);

    /** A short human description such as {@code Conv2d(1->6, 5x5, stride 1, pad 2)}. */
    String describe();
}
