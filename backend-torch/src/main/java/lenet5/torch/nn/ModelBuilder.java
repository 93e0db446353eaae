package lenet5.torch.nn;

import lenet5.ArchitectureMismatchException;
import lenet5.UnsupportedFormatException;
import lenet5.layers.BatchNorm;
import lenet5.layers.Conv2d;
import lenet5.layers.Dense;
import lenet5.layers.Flatten;
import lenet5.layers.Layer;
import lenet5.model.InputSizes;
import lenet5.model.ModelInfo;
import lenet5.model.Sequential;
import lenet5.tensor.Shape;

import java.util.ArrayList;
import java.util.List;

/** Builds a canonical {@link Sequential} from a chain of {@code torch.nn} modules: flattening, layer creation, input shape, PyTorch-specific checks. */
public final class ModelBuilder {
    static final int MAX_NESTING = 32;

    private ModelBuilder() {
    }

    /**
     * The leaf modules in the order an {@code nn.Sequential} runs them, nested Sequentials
     * flattened. Anything else with children (a user's module, ModuleList) has a forward() this
     * reader cannot know and is refused.
     */
    public static List<TorchModule> leaves(TorchModule root) {
        List<TorchModule> out = new ArrayList<>();
        collect(root, out, 0);
        return out;
    }

    private static void collect(TorchModule m, List<TorchModule> out, int depth) {
        if (depth > MAX_NESTING) {
            throw new UnsupportedFormatException("modules nested more than " + MAX_NESTING + " levels deep");
        }
        if (m.isSequential()) {
            for (TorchModule c : m.children()) {
                collect(c, out, depth + 1);
            }
        } else if (!m.children().isEmpty() || !m.standard()) {
            throw new UnsupportedFormatException(m.label() + ": " + m.className()
                    + " is not a torch.nn.Sequential; its forward() is code this reader cannot know");
        } else {
            out.add(m);
        }
    }

    public static List<LayerFactory.Built> build(List<TorchModule> leaves) {
        if (leaves.isEmpty()) {
            throw new ArchitectureMismatchException("the model has no layers");
        }
        List<LayerFactory.Built> out = new ArrayList<>(leaves.size());
        for (TorchModule m : leaves) {
            out.add(LayerFactory.build(m));
        }
        return out;
    }

    /**
     * Assembles the layers (zero weights) for a given input shape, or for an inferred one when
     * {@code input} is null, and applies PyTorch's rules that the canonical layers do not check.
     */
    public static Sequential assemble(List<LayerFactory.Built> built, Shape input, ModelInfo info) {
        List<Layer> layers = built.stream().map(LayerFactory.Built::layer).toList();
        Shape shape = input != null ? input : inferInput(layers);
        if (shape == null) {
            throw new ArchitectureMismatchException("the input shape cannot be inferred: a PyTorch file does not record the input's "
                    + "height and width, and this model has no Linear after Flatten that would fix them; pass the input shape "
                    + "(--input-shape CxHxW, e.g. 1x28x28)");
        }
        Sequential model = new Sequential(shape, layers, info);
        check(model, built);
        return model;
    }

    private static void check(Sequential model, List<LayerFactory.Built> built) {
        for (int i = 0; i < built.size(); i++) {
            LayerFactory.Built b = built.get(i);
            Shape in = model.inputShapeOf(i);
            String where = b.module().label() + ": " + b.module().type();
            if (b.needs() == LayerFactory.Needs.FLAT && !in.flat()) {
                throw new ArchitectureMismatchException(where + " receives a " + in + " feature map; in PyTorch it would act on "
                        + "the last axis (width) only, which this engine does not model; add Flatten() before it");
            }
            if (b.needs() == LayerFactory.Needs.MAP && in.flat()) {
                throw new ArchitectureMismatchException(where + " needs a feature map but receives " + in + " flat features");
            }
            Integer dim = b.softmaxDim();
            if (dim != null) {
                boolean ok = dim == 1 || (in.flat() ? dim == -1 : dim == -3);
                if (!ok) {
                    throw new UnsupportedFormatException(where + "(dim=" + dim + ") on a " + (in.flat() ? "(N, features)" : "(N, C, H, W)")
                            + " input; only the softmax over channels/features (dim=1) is supported");
                }
            }
        }
    }

    /**
     * A square input that makes the first Linear after a Flatten receive exactly its
     * {@code in_features} ({@link InputSizes#preferred}: 28x28, then 32x32, then the smallest that
     * fits), with the channels of the first layer that has them; a flat input when the model
     * starts with Linear. Null when nothing fixes the size.
     */
    public static Shape inferInput(List<Layer> layers) {
        int channels = -1;
        for (Layer l : layers) {
            if (l instanceof Conv2d c) {
                channels = c.inChannels();
                break;
            }
            if (l instanceof BatchNorm b) {
                channels = b.channels();
                break;
            }
            if (l instanceof lenet5.layers.Pool2d || l instanceof lenet5.layers.ZeroPad2d || l instanceof lenet5.layers.AdaptivePool2d) {
                return null; // a map whose channel count no layer before a Conv2d or BatchNorm tells
            }
            if (l instanceof Dense d) {
                return Shape.flat(d.inFeatures()); // only shape-preserving layers and Flatten come before it
            }
        }
        if (channels <= 0 || !hasDenseAfterFlatten(layers)) {
            return null;
        }
        int side = InputSizes.preferred(layers, channels);
        return side < 0 ? null : Shape.chw(channels, side, side);
    }

    private static boolean hasDenseAfterFlatten(List<Layer> layers) {
        boolean flat = false;
        for (Layer l : layers) {
            if (l instanceof Flatten) {
                flat = true;
            } else if (l instanceof Dense) {
                return flat;
            }
        }
        return false;
    }
}
