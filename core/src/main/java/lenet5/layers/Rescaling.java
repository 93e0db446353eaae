package lenet5.layers;

import lenet5.ArchitectureMismatchException;
import lenet5.tensor.Shape;

/**
 * {@code y = x * scale + offset} in float32 on every value (Keras {@code Rescaling}, e.g.
 * {@code scale = 1/255} for models that take raw 0..255 pixels).
 */
public record Rescaling(String name, float scale, float offset) implements Layer {
    public Rescaling {
        if (!Float.isFinite(scale) || !Float.isFinite(offset)) {
            throw new ArchitectureMismatchException(name + ": Rescaling scale and offset must be finite, got " + scale + ", " + offset);
        }
    }

    @Override
    public Shape outputShape(Shape in) {
        return in;
    }

    @Override
    public Rescaling withName(String newName) {
        return new Rescaling(newName, scale, offset);
    }

    @Override
    public String describe() {
        return "Rescaling(x " + scale + (offset == 0 ? "" : ", + " + offset) + ")";
    }
}
