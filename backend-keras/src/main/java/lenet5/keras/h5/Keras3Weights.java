package lenet5.keras.h5;

import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import lenet5.CorruptFileException;
import lenet5.keras.Limits;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Keras 3 weights layout ({@code model.weights.h5} inside a .keras zip, and
 * {@code save_weights('x.weights.h5')}): {@code layers/<layer name>/vars/0, 1, ...} in the
 * layer's weight order, under {@link #path}: the class name and a per-class counter, not the layer name.
 */
public final class Keras3Weights {
    private Keras3Weights() {
    }

    /**
     * Where Keras 3 keeps a layer's variables: not under the layer's name but under its class in
     * snake case with a per-class counter in layer order ({@code conv2d}, {@code conv2d_1},
     * {@code dense}; Keras's saving_lib._save_container_state). {@code used} carries the counters
     * from layer to layer.
     */
    public static String path(String className, Map<String, Integer> used) {
        String name = className.replaceAll("\\W+", "").replaceAll("(.)([A-Z][a-z]+)", "$1_$2")
                .replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
        int n = used.merge(name, 0, (a, b) -> a + 1);
        return n == 0 ? name : name + "_" + n;
    }

    /** Whether {@code root} looks like this layout. */
    public static boolean matches(Group root) {
        return H5.group(root, "layers") != null;
    }

    /** Every layer group under {@code layers/}, in HDF5 listing order (alphabetical), with its weights. */
    public static List<LayerWeights> read(Path file, Group root) {
        Group layers = H5.group(root, "layers");
        if (layers == null) {
            throw new CorruptFileException(file, "no 'layers' group: not a Keras 3 weights file");
        }
        Map<String, Node> children = layers.getChildren();
        if (children.size() > Limits.MAX_LAYERS) {
            throw new CorruptFileException(file, "'layers' has " + children.size() + " entries, over the limit of "
                    + Limits.MAX_LAYERS);
        }
        List<LayerWeights> result = new ArrayList<>();
        for (Map.Entry<String, Node> e : children.entrySet()) {
            if (!(H5.node(layers, e.getKey()) instanceof Group layer)) {
                throw new CorruptFileException(file, "layers/" + e.getKey() + " is not a group");
            }
            result.add(new LayerWeights(e.getKey(), vars(file, layer, "layers/" + e.getKey())));
        }
        return result;
    }

    private static List<StoredTensor> vars(Path file, Group layer, String path) {
        Group vars = H5.group(layer, "vars");
        if (vars == null) {
            if (!layer.getChildren().isEmpty()) {
                // Nested models and layers with sub-layers keep their variables deeper; not a LeNet-class model.
                throw new CorruptFileException(file, path + " has no 'vars' group (nested layers are not supported)");
            }
            return List.of();
        }
        Map<String, Node> byName = vars.getChildren();
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
