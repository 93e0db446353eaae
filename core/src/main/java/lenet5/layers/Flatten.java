package lenet5.layers;

import lenet5.tensor.Shape;

/** Flattens a feature map in (C,H,W) order, as PyTorch does. Keras flattens (H,W,C); readers permute the next Dense. */
public record Flatten(String name) implements Layer {
    @Override
    public Shape outputShape(Shape in) {
        return Shape.flat(in.size());
    }

    @Override
    public Flatten withName(String newName) {
        return new Flatten(newName);
    }

    @Override
    public String describe() {
        return "Flatten";
    }
}
