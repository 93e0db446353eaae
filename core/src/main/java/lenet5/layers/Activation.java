package lenet5.layers;

import lenet5.tensor.Shape;

/**
 * An element-wise activation, or softmax over the channel axis (PyTorch {@code Softmax(dim=1)},
 * Keras softmax on the last axis of a flat vector).
 */
public record Activation(String name, Function function) implements Layer {
    public enum Function {
        LINEAR, RELU, TANH, SIGMOID, SOFTMAX;

        /** Lower-case name as Keras spells it. */
        public String kerasName() {
            return name().toLowerCase();
        }
    }

    @Override
    public Shape outputShape(Shape in) {
        return in;
    }

    @Override
    public Activation withName(String newName) {
        return new Activation(newName, function);
    }

    @Override
    public String describe() {
        return function.name().charAt(0) + function.name().substring(1).toLowerCase();
    }
}
