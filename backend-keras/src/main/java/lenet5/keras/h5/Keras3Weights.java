package lenet5.keras.h5;

import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import lenet5.CorruptFileException;
import lenet5.keras.Limits;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Keras 3 weights layout ({@code model.weights.h5} inside a .keras zip, and
 * {@code save_weights('x.weights.h5')}): {@code <path>/vars/0, 1, ...} in the layer's weight
 * order, at the paths {@link Keras3Paths} computes from the layers' classes.
 */
public final class Keras3Weights {
    /** Nested models deeper than this are not LeNet-class models. */
    private static final int MAX_DEPTH = 8;

    private Keras3Weights() {
    }

    /** Whether {@code root} looks like this layout. */
    public static boolean matches(Group root) {
        return H5.group(root, "layers") != null;
    }

    /** The weights at each path (e.g. {@code layers/conv2d_1}), in that order; a missing group gives no weights. */
    public static List<LayerWeights> read(Path file, Group root, List<String> paths) {
        List<LayerWeights> result = new ArrayList<>();
        for (String p : paths) {
            Group g = root;
            for (String part : p.split("/")) {
                g = g == null ? null : H5.group(g, part);
            }
            result.add(new LayerWeights(p, g != null ? vars(file, g, p) : List.of()));
        }
        return result;
    }

    /** The path of every layer under {@code layers/} that holds variables, nested models included, in HDF5 listing order. */
    public static Set<String> withVariables(Path file, Group root) {
        Set<String> out = new LinkedHashSet<>();
        Group layers = H5.group(root, "layers");
        if (layers != null) {
            collect(file, layers, "layers", out, 0);
        }
        return out;
    }

    private static void collect(Path file, Group layers, String path, Set<String> out, int depth) {
        Map<String, Node> children = layers.getChildren();
        if (children.size() > Limits.MAX_LAYERS || depth > MAX_DEPTH) {
            throw new CorruptFileException(file, path + " has " + children.size() + " entries at nesting depth " + depth
                    + ", over the limits of " + Limits.MAX_LAYERS + " and " + MAX_DEPTH);
        }
        for (Map.Entry<String, Node> e : children.entrySet()) {
            String p = path + "/" + e.getKey();
            if (!(e.getValue() instanceof Group layer)) {
                throw new CorruptFileException(file, p + " is not a group");
            }
            Group vars = H5.group(layer, "vars");
            if (vars != null && !vars.getChildren().isEmpty()) {
                out.add(p);
            }
            Group inner = H5.group(layer, "layers");
            if (inner != null) {
                collect(file, inner, p + "/layers", out, depth + 1);
            }
        }
    }

    private static List<StoredTensor> vars(Path file, Group layer, String path) {
        Group vars = H5.group(layer, "vars");
        if (vars == null) {
            return List.of();
        }
        Map<String, Node> byName = vars.getChildren();
        if (byName.size() > Limits.MAX_LAYERS) {
            throw new CorruptFileException(file, path + "/vars has " + byName.size() + " entries");
        }
        List<StoredTensor> tensors = new ArrayList<>(byName.size());
        for (int i = 0; i < byName.size(); i++) {
            Node n = byName.containsKey(Integer.toString(i)) ? H5.node(vars, Integer.toString(i)) : null;
            if (!(n instanceof Dataset d)) {
                throw new CorruptFileException(file, path + "/vars should hold datasets 0.." + (byName.size() - 1)
                        + " but has " + byName.keySet());
            }
            tensors.add(H5.tensor(file, d, path + "/vars/" + i));
        }
        return tensors;
    }
}
