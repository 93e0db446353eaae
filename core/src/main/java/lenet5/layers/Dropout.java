package lenet5.layers;

import lenet5.tensor.Shape;

/** Dropout: the identity at inference. Kept so layer indices and names match the source file. */
public record Dropout(String name, double rate) implements Layer {
    @Override
    public Shape outputShape(Shape in) {
        return in;
    }

    @Override
    public Dropout withName(String newName) {
        return new Dropout(newName, rate);
    }

    @Override
    public String describe() {
        return "Dropout(" + rate + ")";
    }
}
