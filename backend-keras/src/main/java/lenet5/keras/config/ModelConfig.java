package lenet5.keras.config;

import com.fasterxml.jackson.databind.JsonNode;
import lenet5.CorruptFileException;
import lenet5.UnsupportedFormatException;
import lenet5.keras.Limits;
import lenet5.keras.h5.Keras3Paths;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A Keras model config ({@code model_config}, {@code config.json}, {@code model.to_json()}) as a
 * chain of layers. Accepts a Sequential in the Keras 1 / 2.1 form ({@code "config"} is the layer
 * list), the Keras 2.2+ and Keras 3 form ({@code "config": {"layers": [...]}}), and a functional
 * {@code Model}/{@code Functional} whose layers form a simple chain.
 *
 * @param keras3 whether Keras 3 wrote it: its objects carry a {@code module}, its dtypes are
 *               DTypePolicy objects (Keras 1 and 2 write dtype names)
 */
public record ModelConfig(String name, List<LayerConfig> layers, boolean keras3) {
    public ModelConfig {
        layers = List.copyOf(layers);
    }

    /** Model classes whose layers are read as part of the chain when they appear as a layer (nested models). */
    private static final Set<String> MODELS = Set.of("Sequential", "Model", "Functional");
    /** Nested models deeper than this are not LeNet-class models. */
    private static final int MAX_NESTING = 8;

    public static ModelConfig parse(Path file, JsonNode root) {
        List<LayerConfig> layers = new ArrayList<>();
        String name = container(file, root, "", null, layers, 0);
        if (layers.isEmpty()) {
            throw new CorruptFileException(file, "model config has no layers");
        }
        return new ModelConfig(name, layers, keras3(root, layers));
    }

    /**
     * Adds the layers of one model (Sequential or a functional chain) to {@code out}, a nested
     * model's layers in its place, and returns the model's name.
     *
     * @param path  the model's Keras 3 weights path ("" for the top model)
     * @param group the legacy .h5 layer group of a nested model (null for the top model)
     */
    private static String container(Path file, JsonNode root, String path, String group, List<LayerConfig> out, int depth) {
        String cls = root.path("class_name").asText("");
        JsonNode config = root.get("config");
        if (config == null) {
            throw new CorruptFileException(file, "model config has no 'config'");
        }
        if (!MODELS.contains(cls)) {
            throw new UnsupportedFormatException(file, "model class '" + cls
                    + "' is not supported (Sequential, or a functional Model that is a simple chain)");
        }
        if (depth > MAX_NESTING) {
            throw new UnsupportedFormatException(file, "models nested more than " + MAX_NESTING + " levels deep");
        }
        JsonNode list = config.isArray() ? config : config.get("layers");
        if (list == null || !list.isArray()) {
            throw new CorruptFileException(file, "model config of class '" + cls + "' has no layer list");
        }
        if (list.size() + out.size() > Limits.MAX_LAYERS) {
            throw new UnsupportedFormatException(file, "model config has more than " + Limits.MAX_LAYERS + " layers");
        }
        String name = config.isObject() ? config.path("name").asText(cls) : cls;
        List<LayerConfig> layers = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (JsonNode entry : list) {
            LayerConfig layer = layer(file, entry);
            if (!names.add(layer.name())) {
                throw new CorruptFileException(file, "two layers are named '" + layer.name() + "'");
            }
            layers.add(layer);
        }
        if (!cls.equals("Sequential")) {
            checkChain(file, list, layers, config);
        }
        List<String> paths = Keras3Paths.paths(path, layers.stream().map(LayerConfig::className).toList());
        for (int i = 0; i < layers.size(); i++) {
            LayerConfig l = layers.get(i);
            String g = group != null ? group : l.name();
            if (MODELS.contains(l.className())) {
                container(file, list.get(i), paths.get(i), g, out, depth + 1);
            } else if (!l.className().equals("InputLayer") || out.isEmpty()) { // a nested model's input is the chain's
                out.add(new LayerConfig(file, l.className(), l.name(), l.config(), g, paths.get(i)));
            }
        }
        return name;
    }

    private static boolean keras3(JsonNode root, List<LayerConfig> layers) {
        if (root.has("module")) {
            return true;
        }
        for (LayerConfig l : layers) {
            JsonNode dtype = l.config().get("dtype");
            if (dtype != null && dtype.isObject() && "DTypePolicy".equals(dtype.path("class_name").asText())) {
                return true;
            }
        }
        return false;
    }

    private static LayerConfig layer(Path file, JsonNode entry) {
        String cls = entry.path("class_name").asText(null);
        JsonNode cfg = entry.get("config");
        if (cls == null || cfg == null || !cfg.isObject()) {
            throw new CorruptFileException(file, "a layer entry lacks 'class_name' or 'config': "
                    + abbreviate(entry.toString()));
        }
        String name = cfg.path("name").asText(null);
        if (name == null) {
            // Keras always records names; the functional form also has one next to class_name.
            name = entry.path("name").asText(null);
        }
        if (name == null || name.isEmpty()) {
            throw new CorruptFileException(file, "a " + cls + " layer has no name");
        }
        return new LayerConfig(file, cls, name, cfg);
    }

    /** A functional model is accepted only when every layer reads exactly the layer before it. */
    private static void checkChain(Path file, JsonNode list, List<LayerConfig> layers, JsonNode config) {
        for (int i = 0; i < layers.size(); i++) {
            JsonNode nodes = list.get(i).get("inbound_nodes");
            Set<String> inbound = new LinkedHashSet<>();
            collectInbound(nodes, inbound, 0);
            int nodeCount = nodes == null || !nodes.isArray() ? 0 : nodes.size();
            boolean ok = i == 0 ? inbound.isEmpty() && "InputLayer".equals(layers.get(0).className())
                    : nodeCount == 1 && inbound.size() == 1 && inbound.contains(layers.get(i - 1).name());
            if (!ok) {
                throw new UnsupportedFormatException(file, "functional model is not a simple chain: layer '"
                        + layers.get(i).name() + "' reads " + inbound + (i == 0 ? "" : ", not just '" + layers.get(i - 1).name() + "'"));
            }
        }
        Set<String> outputs = new LinkedHashSet<>();
        collectInbound(config.get("output_layers"), outputs, 0);
        String last = layers.get(layers.size() - 1).name();
        if (!outputs.equals(Set.of(last))) {
            throw new UnsupportedFormatException(file, "functional model outputs " + outputs + ", not just its last layer '" + last + "'");
        }
    }

    /**
     * Layer names referenced by Keras 2 node lists ({@code [["conv2d", 0, 0, {}]]}) and Keras 3
     * ones ({@code {"keras_history": ["conv2d", 0, 0]}}).
     */
    private static void collectInbound(JsonNode n, Set<String> out, int depth) {
        if (n == null || depth > Limits.MAX_JSON_DEPTH) {
            return;
        }
        if (n.isArray() && n.size() >= 3 && n.get(0).isTextual() && n.get(1).isNumber()) {
            out.add(n.get(0).asText());
            return;
        }
        if (n.isObject() && n.has("keras_history") && n.get("keras_history").isArray() && n.get("keras_history").size() > 0) {
            out.add(n.get("keras_history").get(0).asText());
            return;
        }
        for (JsonNode c : n) {
            collectInbound(c, out, depth + 1);
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 117) + "...";
    }
}
