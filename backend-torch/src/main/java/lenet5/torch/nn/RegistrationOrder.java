package lenet5.torch.nn;

import lenet5.Lenet5Exception;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A user's module tree (a class with attributes {@code C1, tanh1, S2, ...}) as architecture text:
 * its leaf modules in registration order, depth first. The order in which {@code __init__}
 * registered them is usually, not always, the order {@code forward()} calls them, and functional
 * calls (F.relu, view) are missing, so this is a draft for the user to check, never run as is.
 */
public final class RegistrationOrder {
    private static final int MAX_LEAVES = 1_000;

    private RegistrationOrder() {
    }

    /**
     * {@code Sequential(Conv2d(...), Tanh(), ...)} for the leaves, or null when one is not a torch.nn layer this reader
     * knows. Where a Linear (or BatchNorm1d) follows feature-map layers with no Flatten between, {@code Flatten()} is
     * put before it: forward() must flatten there ({@code x.view(x.size(0), -1)}, {@code torch.flatten(x, 1)}),
     * and without it the draft's input shape could not be inferred.
     */
    public static String text(TorchModule root) {
        List<String> parts = new ArrayList<>();
        boolean map = false; // a feature-map layer since the last Flatten
        for (TorchModule leaf : leaves(root)) {
            if (!leaf.standard()) {
                return null;
            }
            try {
                LayerFactory.Built b = LayerFactory.build(leaf);
                if (b.layer() instanceof lenet5.layers.Flatten) {
                    map = false;
                } else if (b.needs() == LayerFactory.Needs.MAP) {
                    map = true;
                } else if (b.needs() == LayerFactory.Needs.FLAT && map) {
                    parts.add("Flatten()");
                    map = false;
                }
                parts.add(TorchExport.text(b.layer(), b.needs() == LayerFactory.Needs.FLAT));
            } catch (Lenet5Exception e) {
                return null;
            }
        }
        return parts.isEmpty() ? null : "Sequential(" + String.join(", ", parts) + ")";
    }

    /** Modules whose use forward() does not change: dropout is inactive, Flatten and softmax usually run once at their place. */
    private static final Set<String> RUN_ONCE = Set.of("Dropout", "Dropout1d", "Dropout2d", "AlphaDropout", "Flatten", "Identity",
            "Softmax", "Softmax2d", "LogSoftmax");

    /**
     * Modules that forward() may well call more than once, as {@code [pool: MaxPool2d]}, or null: a weightless module
     * (pooling, activation) that is an attribute of a user's module, the only one of its class, in a model with two
     * or more convolutions or linear layers (the PyTorch CIFAR-10 tutorial's {@code self.pool} after each
     * convolution, a {@code self.relu} after each layer). Sequential containers run each module once.
     */
    public static String reusable(TorchModule root) {
        List<TorchModule> all = leaves(root);
        long convs = all.stream().filter(m -> m.type().equals("Conv2d")).count();
        long linears = all.stream().filter(m -> m.type().equals("Linear")).count();
        if (convs < 2 && linears < 2) {
            return null;
        }
        Map<String, Long> perType = all.stream().collect(Collectors.groupingBy(TorchModule::type, Collectors.counting()));
        List<String> out = new ArrayList<>();
        collectReusable(root, perType, out, 0);
        return out.isEmpty() ? null : out.stream().collect(Collectors.joining(", ", "[", "]"));
    }

    private static void collectReusable(TorchModule m, Map<String, Long> perType, List<String> out, int depth) {
        if (depth > ModelBuilder.MAX_NESTING) {
            return;
        }
        boolean container = m.standard() && (m.isSequential() || m.type().equals("ModuleList") || m.type().equals("ModuleDict"));
        for (TorchModule c : m.children()) {
            if (!container && c.children().isEmpty() && c.standard() && c.tensors().isEmpty() && !RUN_ONCE.contains(c.type())
                    && perType.get(c.type()) == 1) {
                out.add(c.path() + ": " + c.type());
            }
            collectReusable(c, perType, out, depth + 1);
        }
    }

    /** {@code [conv1: Conv2d, fc1: Linear, ...]}: the leaves by path and class. */
    public static String listing(TorchModule root) {
        return leaves(root).stream().map(c -> c.path() + ": " + c.type()).collect(Collectors.joining(", ", "[", "]"));
    }

    private static List<TorchModule> leaves(TorchModule root) {
        List<TorchModule> out = new ArrayList<>();
        collect(root, out, 0);
        return out;
    }

    private static void collect(TorchModule m, List<TorchModule> out, int depth) {
        if (depth > ModelBuilder.MAX_NESTING || out.size() >= MAX_LEAVES) {
            return;
        }
        if (m.children().isEmpty() && depth > 0) {
            out.add(m);
        }
        for (TorchModule c : m.children()) {
            collect(c, out, depth + 1);
        }
    }
}
