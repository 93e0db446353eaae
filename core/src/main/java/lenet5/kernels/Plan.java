package lenet5.kernels;

import lenet5.layers.Activation;
import lenet5.layers.BatchNorm;
import lenet5.layers.Conv2d;
import lenet5.layers.Dense;
import lenet5.layers.Dropout;
import lenet5.layers.Flatten;
import lenet5.layers.Layer;
import lenet5.layers.Pool2d;
import lenet5.layers.ZeroPad2d;
import lenet5.model.Sequential;
import lenet5.tensor.Shape;

import java.util.ArrayList;
import java.util.List;

/**
 * A model compiled for execution: a list of {@link Op}s with weights already in the order the
 * kernels want. Layers that do nothing at inference (Flatten, Dropout) compile to no op,
 * because NCHW data is already in Flatten's (C,H,W) order.
 */
public final class Plan {
    private final List<Op> ops;
    private final int maxSize;
    private final int inSize;
    private final int outSize;

    private Plan(List<Op> ops, int inSize, int outSize) {
        this.ops = List.copyOf(ops);
        this.inSize = inSize;
        this.outSize = outSize;
        int m = inSize;
        for (Op op : ops) {
            m = Math.max(m, Math.max(op.inSize(), op.outSize()));
        }
        this.maxSize = m;
    }

    /**
     * Compiles a model. With {@code fuse} an activation may be folded into the op before it;
     * without, every layer that computes something gets its own op (used to record per-layer
     * activations).
     */
    public static Plan compile(Sequential model, boolean fuse) {
        List<Op> ops = new ArrayList<>();
        List<Layer> layers = model.layers();
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            Shape in = model.inputShapeOf(i);
            Shape out = model.outputShapes().get(i);
            Op op = compileLayer(layer, in, out, i);
            if (op != null) {
                ops.add(op);
            }
        }
        return new Plan(ops, model.inputShape().size(), model.outputShape().size());
    }

    // Java 17 has no pattern switch; an instanceof chain over the sealed Layer types instead.
    private static Op compileLayer(Layer layer, Shape in, Shape out, int i) {
        if (layer instanceof Conv2d c) {
            return new ConvOp(c, in, out, i);
        } else if (layer instanceof Pool2d p) {
            return new PoolOp(p, in, out, i);
        } else if (layer instanceof ZeroPad2d z) {
            return new PadOp(z, in, out, i);
        } else if (layer instanceof Dense d) {
            return new DenseOp(d, i);
        } else if (layer instanceof Activation a) {
            return a.function() == Activation.Function.LINEAR ? null : new ActivationOp(a.function(), out, i);
        } else if (layer instanceof BatchNorm b) {
            return new BatchNormOp(b, in, i);
        } else if (layer instanceof Flatten || layer instanceof Dropout) {
            return null;
        }
        throw new IllegalStateException("no kernel for " + layer.getClass().getSimpleName());
    }

    public List<Op> ops() {
        return ops;
    }

    /** The largest per-sample buffer any step needs. */
    public int maxSize() {
        return maxSize;
    }

    public int inSize() {
        return inSize;
    }

    public int outSize() {
        return outSize;
    }
}
