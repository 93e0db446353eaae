package lenet5.layers;

import lenet5.ArchitectureMismatchException;
import lenet5.tensor.Shape;

/**
 * PyTorch's adaptive max or average pooling to a fixed {@code outH x outW} map: output row
 * {@code i} pools input rows {@code floor(i*H/outH)} to {@code ceil((i+1)*H/outH)} (likewise for
 * columns). Output 1x1 is global pooling (Keras GlobalAveragePooling2D/GlobalMaxPooling2D, which
 * readers follow with a {@link Flatten} unless {@code keepdims}).
 */
public record AdaptivePool2d(String name, Pool2d.Kind kind, int outH, int outW) implements Layer {
    public AdaptivePool2d {
        if (outH <= 0 || outW <= 0) {
            throw new ArchitectureMismatchException(name + ": adaptive pooling output size must be positive, got " + outH + "x" + outW);
        }
    }

    /** Global pooling: one value per channel. */
    public static AdaptivePool2d global(String name, Pool2d.Kind kind) {
        return new AdaptivePool2d(name, kind, 1, 1);
    }

    public boolean isGlobal() {
        return outH == 1 && outW == 1;
    }

    /** Start of output cell {@code i}'s window on an axis of length {@code in} (PyTorch's rule). */
    public static int start(int i, int in, int out) {
        return (int) ((long) i * in / out);
    }

    /** End (exclusive) of output cell {@code i}'s window. */
    public static int end(int i, int in, int out) {
        return (int) (((long) (i + 1) * in + out - 1) / out);
    }

    /**
     * The fixed pooling this equals on an {@code in} input (every window the same size and
     * stride: the input divides evenly), or null.
     */
    public Pool2d asPool(Shape in) {
        if (in.flat() || in.height() % outH != 0 || in.width() % outW != 0) {
            return null;
        }
        int kh = in.height() / outH, kw = in.width() / outW;
        return new Pool2d(name, kind, kh, kw, kh, kw, Padding.NONE, true, false);
    }

    @Override
    public Shape outputShape(Shape in) {
        if (in.flat()) {
            throw new ArchitectureMismatchException(name + ": pooling needs a feature map, got " + in);
        }
        return Shape.chw(in.channels(), outH, outW);
    }

    @Override
    public AdaptivePool2d withName(String newName) {
        return new AdaptivePool2d(newName, kind, outH, outW);
    }

    @Override
    public String describe() {
        String k = kind == Pool2d.Kind.MAX ? "Max" : "Avg";
        return isGlobal() ? "Global" + k + "Pool" : "Adaptive" + k + "Pool2d(" + outH + "x" + outW + ")";
    }
}
