package lenet5.layers;

import lenet5.ArchitectureMismatchException;
import lenet5.tensor.Shape;

/**
 * Max or average pooling over each channel.
 *
 * @param countIncludePad for AVG: whether padded zeros count in the divisor (PyTorch's default
 *                        {@code count_include_pad=True}; Keras 'same' pooling excludes them)
 * @param ceilMode        PyTorch's {@code ceil_mode}: round the output size up
 */
public record Pool2d(String name, Kind kind, int kernelH, int kernelW, int strideH, int strideW,
                     Padding padding, boolean countIncludePad, boolean ceilMode) implements Layer {
    public enum Kind { MAX, AVG }

    public Pool2d {
        if (kernelH <= 0 || kernelW <= 0 || strideH <= 0 || strideW <= 0) {
            throw new ArchitectureMismatchException(name + ": pool kernel and stride must be positive");
        }
    }

    public static Pool2d of(String name, Kind kind, int k, int s) {
        return new Pool2d(name, kind, k, k, s, s, Padding.NONE, true, false);
    }

    @Override
    public Shape outputShape(Shape in) {
        if (in.flat()) {
            throw new ArchitectureMismatchException(name + ": pooling needs a feature map, got " + in);
        }
        return Shape.chw(in.channels(), outSize(in.height(), kernelH, strideH, padding.top(), padding.bottom()),
                outSize(in.width(), kernelW, strideW, padding.left(), padding.right()));
    }

    private int outSize(int in, int k, int s, int before, int after) {
        int out = Layers.windows(name, Layers.padded(in, before, after), k, s, ceilMode);
        // PyTorch: with ceil_mode the last window must start inside the input or the leading padding.
        if (ceilMode && (out - 1L) * s >= (long) in + before) {
            out--;
        }
        return out;
    }

    @Override
    public Pool2d withName(String newName) {
        return new Pool2d(newName, kind, kernelH, kernelW, strideH, strideW, padding, countIncludePad, ceilMode);
    }

    @Override
    public String describe() {
        return (kind == Kind.MAX ? "MaxPool2d(" : "AvgPool2d(") + kernelH + "x" + kernelW + ", stride "
                + strideH + "x" + strideW + (padding.isZero() ? "" : ", padding " + padding
                + (kind == Kind.AVG && !countIncludePad ? ", excluding pad" : "")) + (ceilMode ? ", ceil" : "") + ")";
    }
}
