package lenet5.torch.nn;

import lenet5.Lenet5Exception;

import java.util.ArrayList;
import java.util.List;
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

    /** {@code Sequential(Conv2d(...), Tanh(), ...)} for the leaves, or null when one is not a torch.nn layer this reader knows. */
    public static String text(TorchModule root) {
        List<String> parts = new ArrayList<>();
        for (TorchModule leaf : leaves(root)) {
            if (!leaf.standard()) {
                return null;
            }
            try {
                LayerFactory.Built b = LayerFactory.build(leaf);
                parts.add(TorchExport.text(b.layer(), b.needs() == LayerFactory.Needs.FLAT));
            } catch (Lenet5Exception e) {
                return null;
            }
        }
        return parts.isEmpty() ? null : "Sequential(" + String.join(", ", parts) + ")";
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
