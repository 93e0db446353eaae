package lenet5.layers;

import lenet5.ArchitectureMismatchException;
import lenet5.tensor.Shape;

/** Adds zeros around each feature map (Keras ZeroPadding2D, PyTorch nn.ZeroPad2d). */
public record ZeroPad2d(String name, Padding padding) implements Layer {
    @Override
    public Shape outputShape(Shape in) {
        if (in.flat()) {
            throw new ArchitectureMismatchException(name + ": padding needs a feature map, got " + in);
        }
        return Shape.chw(in.channels(), Layers.side(name, Layers.padded(in.height(), padding.top(), padding.bottom())),
                Layers.side(name, Layers.padded(in.width(), padding.left(), padding.right())));
    }

    @Override
    public ZeroPad2d withName(String newName) {
        return new ZeroPad2d(newName, padding);
    }

    @Override
    public String describe() {
        return "ZeroPad2d(" + padding + ")";
    }
}
