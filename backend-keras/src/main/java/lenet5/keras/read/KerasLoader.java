package lenet5.keras.read;

import com.fasterxml.jackson.databind.JsonNode;
import io.jhdf.HdfFile;
import io.jhdf.api.Group;
import lenet5.ArchitectureMismatchException;
import lenet5.ArchitectureRequiredException;
import lenet5.CorruptFileException;
import lenet5.LoadOptions;
import lenet5.UnsupportedFormatException;
import lenet5.keras.Limits;
import lenet5.keras.archive.KerasArchive;
import lenet5.keras.config.Architecture;
import lenet5.keras.config.Json;
import lenet5.keras.config.KernelOrder;
import lenet5.keras.config.LayerConfig;
import lenet5.keras.config.ModelBuilder;
import lenet5.keras.config.ModelConfig;
import lenet5.keras.h5.H5;
import lenet5.keras.h5.Keras3Paths;
import lenet5.keras.h5.Keras3Weights;
import lenet5.keras.h5.LayerWeights;
import lenet5.keras.h5.LegacyWeights;
import lenet5.keras.h5.StoredTensor;
import lenet5.layers.Layer;
import lenet5.model.ModelInfo;
import lenet5.model.Sequential;
import lenet5.spi.Source;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.WeakHashMap;

/** Reads every kind of Keras file: legacy HDF5 models and weights, Keras 3 weights, .keras zips, JSON configs. */
public final class KerasLoader {
    public static final String LEGACY_H5 = "keras legacy h5";
    public static final String WEIGHTS_H5 = "keras weights-only h5";
    public static final String KERAS3_WEIGHTS = "keras 3 weights-only .weights.h5";
    public static final String KERAS_ZIP = "keras 3 .keras zip";
    public static final String JSON_CONFIG = "keras json config (architecture only, zero weights)";

    /**
     * What the canonical model forgets about the Keras config a model was read from, and a Keras
     * weights-only file needs when that model is its architecture ({@code --arch x.keras}, a
     * to_json config, a legacy .h5): where Keras 3 keeps each layer's variables (nested models),
     * which of gamma/beta a BatchNormalization stores, the Flatten order and the input layout
     * (channels_first). Held per loaded model object, weakly; a model changed or built otherwise
     * has none, and the weights are then bound as a flat channels_last Keras model has them.
     */
    private record Origin(List<LayerConfig> weighted, boolean flattenHwc, lenet5.layout.Layout layout) {
    }

    private static final Map<Sequential, Origin> ORIGINS = Collections.synchronizedMap(new WeakHashMap<>());

    private static Sequential remember(Sequential model, Architecture arch) {
        ORIGINS.put(model, new Origin(arch.weighted(), arch.flattenHwc(), arch.layout()));
        return model;
    }

    /** The Keras config facts of {@code arch}, if it was read from a Keras config and has one layer config per layer with weights. */
    private static Origin origin(Sequential arch) {
        Origin o = ORIGINS.get(arch);
        long weighted = arch.layers().stream().filter(l -> !l.weights().isEmpty()).count();
        return o != null && o.weighted().size() == weighted ? o : null;
    }

    private KerasLoader() {
    }

    public static Sequential readHdf5(Source source, LoadOptions options) {
        Path file = source.path(); // for messages; null in memory (the format boundary names the source)
        return H5.read(source, h -> {
            String config = H5.string(file, h, "model_config");
            String version = H5.string(file, h, "keras_version");
            String backend = H5.string(file, h, "backend");
            if (config != null) {
                return fullModel(file, h, config, version, backend, options);
            }
            if (h.getAttribute("layer_names") != null || h.getAttribute("layer_names0") != null) {
                return legacyWeights(file, h, version, backend, options);
            }
            Group mw = H5.group(h, "model_weights");
            if (mw != null) {
                return legacyWeights(file, mw, version, backend, options);
            }
            if (Keras3Weights.matches(h)) {
                return keras3Weights(file, h, options);
            }
            throw new UnsupportedFormatException(file, "an HDF5 file, but not a Keras model (no model_config attribute) "
                    + "nor a Keras weights file (no layer_names attribute, no layers/ group); its root holds "
                    + h.getChildren().keySet() + " and attributes " + new TreeSet<>(h.getAttributes().keySet()));
        });
    }

    private static Sequential fullModel(Path file, HdfFile h, String config, String version, String backend, LoadOptions options) {
        Architecture arch = architecture(file, "model_config", Json.parse(file, "model_config", config), options);
        refuseBfloat16(file, arch.weighted());
        Group mw = H5.group(h, "model_weights");
        if (mw == null) {
            throw new CorruptFileException(file, "has a model_config but no model_weights group");
        }
        List<LayerWeights> all = LegacyWeights.read(file, mw);
        List<LayerWeights> groups = byGroup(file, arch.weighted(), all);
        boolean theano = theano(version, backend, all);
        return remember(WeightBinder.bind(file, arch.skeleton(), groups, arch.weighted(),
                new Conventions(arch.order(), theano, arch.flattenHwc()),
                new ModelInfo(LEGACY_H5, version(version, backend, theano), arch.layout())), arch);
    }

    /** {@code save_weights} in the Keras 1/2 layout: layer_names at the root, no architecture. */
    private static Sequential legacyWeights(Path file, Group root, String version, String backend, LoadOptions options) {
        Sequential arch = requireArchitecture(file, options, "a Keras weights-only file (save_weights)");
        List<LayerWeights> groups = new ArrayList<>();
        List<LayerWeights> all = LegacyWeights.read(file, root);
        for (LayerWeights g : all) {
            if (!g.isEmpty()) {
                groups.add(g);
            }
        }
        boolean keras1 = version == null || version.startsWith("1");
        boolean theano = theano(version, backend, all);
        Origin o = origin(arch);
        Sequential model = WeightBinder.bind(file, arch, groups, o == null ? null : o.weighted(),
                new Conventions(keras1 ? KernelOrder.DETECT : KernelOrder.TF, theano, o == null ? null : o.flattenHwc()),
                new ModelInfo(WEIGHTS_H5, version(version, backend, theano), o == null ? null : o.layout()));
        if (o != null) {
            ORIGINS.put(model, o);
        }
        return model;
    }

    /**
     * {@code save_weights('x.weights.h5')} in Keras 3: variables at class-and-counter paths. When
     * the architecture was read from a .keras file, its layers' paths are those it was read from
     * (nested models included); otherwise they are computed as a flat Keras Sequential has them.
     */
    private static Sequential keras3Weights(Path file, HdfFile h, LoadOptions options) {
        Sequential arch = requireArchitecture(file, options, "a Keras 3 weights file (.weights.h5)");
        Origin o = origin(arch);
        if (o != null) {
            List<LayerWeights> groups = atPaths(file, h, o.weighted().stream().map(LayerConfig::path).toList(),
                    names(o.weighted()), "the file");
            Sequential model = WeightBinder.bind(file, arch, groups, o.weighted(), new Conventions(KernelOrder.TF, false, o.flattenHwc()),
                    new ModelInfo(KERAS3_WEIGHTS, "Keras 3 (version not recorded)", o.layout()));
            ORIGINS.put(model, o);
            return model;
        }
        List<String> classes = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<String> known = new ArrayList<>();
        for (int i = 0; i < arch.layers().size(); i++) {
            Layer l = arch.layers().get(i);
            if (!l.weights().isEmpty()) {
                classes.add(kerasClass(l));
                names.add(l.name());
                known.add(keras3Path(arch, i));
            }
        }
        List<String> byClass = Keras3Paths.paths("", classes);
        List<String> paths = known.contains(null) ? byClass : known;
        if (known.contains(null)) {
            // A canonical layer does not always say its Keras class (Normalization and Rescaling run as batch norms):
            // when the class paths do not match the file, paths named after the layers (Keras's defaults) may.
            Set<String> stored = Keras3Weights.withVariables(file, h);
            List<String> byName = names.stream().map(n -> "layers/" + n).toList();
            if (!stored.equals(new java.util.HashSet<>(byClass)) && stored.equals(new java.util.HashSet<>(byName))) {
                paths = byName;
            }
        }
        List<LayerWeights> groups = atPaths(file, h, paths, names, "the file");
        return WeightBinder.bind(file, arch, groups, null, new Conventions(KernelOrder.TF, false, true),
                new ModelInfo(KERAS3_WEIGHTS, "Keras 3 (version not recorded)", null));
    }

    /** The Keras 3 path layer {@code i} was read from, if the model came from a .keras file; otherwise null. */
    private static String keras3Path(Sequential model, int i) {
        if (!KERAS_ZIP.equals(model.info().format())) {
            return null;
        }
        for (lenet5.model.StoredWeight w : model.info().storedWeights()) {
            if (w.layer() == i && w.name().endsWith("/vars/0")) {
                return w.name().substring(0, w.name().length() - "/vars/0".length());
            }
        }
        return null;
    }

    /** The Keras class a canonical layer with weights is saved as. */
    private static String kerasClass(Layer l) {
        if (l instanceof lenet5.layers.Conv2d) {
            return "Conv2D";
        }
        if (l instanceof lenet5.layers.Dense) {
            return "Dense";
        }
        if (l instanceof lenet5.layers.BatchNorm) {
            return "BatchNormalization";
        }
        return l.getClass().getSimpleName();
    }

    public static Sequential readZip(Source source, LoadOptions options) {
        Path file = source.path();
        KerasArchive a = KerasArchive.read(source);
        String version = "unknown";
        if (a.metadata() != null) {
            version = "Keras " + Json.parse(file, KerasArchive.METADATA, a.metadata()).path("keras_version").asText("unknown");
        }
        Architecture arch = architecture(file, KerasArchive.CONFIG, Json.parse(file, KerasArchive.CONFIG, a.config()), options);
        refuseBfloat16(file, arch.weighted());
        List<String> paths = arch.weighted().stream().map(LayerConfig::path).toList();
        List<LayerWeights> groups = H5.read(file, a.weights(), h -> atPaths(file, h, paths, names(arch.weighted()), KerasArchive.WEIGHTS));
        return remember(WeightBinder.bind(file, arch.skeleton(), groups, arch.weighted(),
                new Conventions(KernelOrder.TF, false, arch.flattenHwc()), new ModelInfo(KERAS_ZIP, version, arch.layout())), arch);
    }

    /**
     * The Keras 3 variables of each layer at its path; refuses a layer without variables there and
     * variables at a path the model has no layer with weights for.
     */
    private static List<LayerWeights> atPaths(Path file, Group root, List<String> paths, List<String> names, String where) {
        List<LayerWeights> result = Keras3Weights.read(file, root, paths);
        Set<String> stored = Keras3Weights.withVariables(file, root);
        for (int i = 0; i < result.size(); i++) {
            if (result.get(i).isEmpty()) {
                throw new ArchitectureMismatchException(file, "layer '" + names.get(i) + "' has no weights at " + paths.get(i)
                        + " in " + where + ", where Keras 3 keeps them (layers with weights there: " + stored + ")");
            }
        }
        for (String p : stored) {
            if (!paths.contains(p)) {
                throw new ArchitectureMismatchException(file, where + " holds weights at " + p
                        + ", which the model has no layer with weights for (it expects " + paths + ")");
            }
        }
        return result;
    }

    /** A standalone architecture ({@code model.to_json()}); weights are zero until bound. */
    public static Sequential readJson(Source source, LoadOptions options) {
        Path file = source.path();
        if (source.size() > Limits.MAX_JSON_BYTES) {
            throw new UnsupportedFormatException(file, "JSON config larger than " + Limits.MAX_JSON_BYTES + " bytes");
        }
        String text = new String(source.readAll(Limits.MAX_JSON_BYTES), StandardCharsets.UTF_8);
        JsonNode root = Json.parse(file, "the JSON config", text);
        Architecture arch = architecture(file, "the JSON config", root, options);
        String version = root.has("keras_version") ? "Keras " + root.get("keras_version").asText() : "unknown";
        return remember(arch.skeleton().withInfo(new ModelInfo(JSON_CONFIG, version, arch.layout())), arch);
    }

    private static Architecture architecture(Path file, String what, JsonNode root, LoadOptions options) {
        if (!root.has("class_name")) {
            throw new UnsupportedFormatException(file, what + " is JSON but not a Keras model config (no class_name)");
        }
        return ModelBuilder.build(file, ModelConfig.parse(file, root), options.inputShape());
    }

    /**
     * A layer whose dtype policy is {@code bfloat16} stores its variables as an HDF5 opaque type
     * (h5py's view of ml_dtypes' bfloat16), which jhdf cannot even list; say so before it tries.
     * ({@code mixed_bfloat16} keeps float32 variables and reads as usual.)
     */
    private static void refuseBfloat16(Path file, List<LayerConfig> weighted) {
        for (LayerConfig l : weighted) {
            JsonNode d = l.config().get("dtype");
            String policy = d == null ? null : d.isTextual() ? d.asText() : d.path("config").path("name").asText(null);
            if ("bfloat16".equals(policy)) {
                throw new UnsupportedFormatException(file, "layer '" + l.name() + "' (" + l.className() + ") stores its weights as "
                        + "bfloat16 (dtype policy 'bfloat16'), which this reader does not read; save the model with float32 weights "
                        + "(e.g. a 'mixed_bfloat16' policy, which keeps them float32)");
            }
        }
    }

    private static Sequential requireArchitecture(Path file, LoadOptions options, String what) {
        if (options.architecture() == null) {
            throw new ArchitectureRequiredException(file, what + " holds no architecture",
                    "pass one, e.g. the model in the matching .keras, .h5 or JSON config, with", null, null);
        }
        return options.architecture();
    }

    /**
     * The legacy .h5 weights of each layer with weights, in model order: a layer's own group, or a
     * nested model's group, whose variables (one list for all its layers) are split by layer.
     */
    private static List<LayerWeights> byGroup(Path file, List<LayerConfig> weighted, List<LayerWeights> all) {
        Map<String, List<LayerConfig>> byGroup = new LinkedHashMap<>();
        weighted.forEach(l -> byGroup.computeIfAbsent(l.group(), k -> new ArrayList<>()).add(l));
        List<LayerWeights> stored = byName(file, new ArrayList<>(byGroup.keySet()), all, "model_weights");
        List<LayerWeights> result = new ArrayList<>();
        int k = 0;
        for (Map.Entry<String, List<LayerConfig>> e : byGroup.entrySet()) {
            LayerWeights g = stored.get(k++);
            if (e.getValue().size() == 1) {
                result.add(g);
                continue;
            }
            int at = 0;
            for (LayerConfig l : e.getValue()) {
                int n = l.variables();
                if (n < 0 || at + n > g.tensors().size()) {
                    throw new ArchitectureMismatchException(file, "nested model '" + e.getKey() + "': cannot tell which of its "
                            + g.tensors().size() + " weights belong to layer '" + l.name() + "' (" + l.className() + ")");
                }
                result.add(new LayerWeights(e.getKey() + "/" + l.name(), g.tensors().subList(at, at + n)));
                at += n;
            }
            if (at != g.tensors().size()) {
                throw new ArchitectureMismatchException(file, "nested model '" + e.getKey() + "' stores " + g.tensors().size()
                        + " weights, its layers need " + at);
            }
        }
        return result;
    }

    private static List<String> names(List<LayerConfig> layers) {
        List<String> n = new ArrayList<>();
        layers.forEach(l -> n.add(l.name()));
        return n;
    }

    /** The stored weights of the named layers, in that order; refuses missing weights and weights the model has no place for. */
    private static List<LayerWeights> byName(Path file, List<String> names, List<LayerWeights> all, String where) {
        Map<String, LayerWeights> stored = new LinkedHashMap<>();
        for (LayerWeights g : all) {
            stored.put(g.layer(), g);
        }
        List<LayerWeights> result = new ArrayList<>();
        for (String n : names) {
            LayerWeights g = stored.get(n);
            if (g == null || g.isEmpty()) {
                throw new ArchitectureMismatchException(file, "layer '" + n + "' has no weights in " + where
                        + " (layers with weights there: " + withWeights(all) + ")");
            }
            result.add(g);
        }
        Set<String> wanted = Set.copyOf(names);
        for (LayerWeights g : all) {
            if (!g.isEmpty() && !wanted.contains(g.layer())) {
                throw new ArchitectureMismatchException(file, where + " holds weights for layer '" + g.layer()
                        + "', which the model has not (or has as a layer without weights)");
            }
        }
        return result;
    }

    private static List<String> withWeights(List<LayerWeights> all) {
        List<String> n = new ArrayList<>();
        all.stream().filter(g -> !g.isEmpty()).forEach(g -> n.add(g.layer()));
        return n;
    }

    /**
     * Whether Theano wrote the weights. Keras 2 records the backend; Keras 1 does not, but
     * TensorFlow names variables {@code name:0} and Theano does not.
     */
    private static boolean theano(String version, String backend, List<LayerWeights> all) {
        if (backend != null) {
            return backend.equals("theano");
        }
        if (version != null && !version.startsWith("1")) {
            return false;
        }
        boolean any = false;
        for (LayerWeights g : all) {
            for (StoredTensor t : g.tensors()) {
                if (t.name().endsWith(":0")) {
                    return false;
                }
                any = true;
            }
        }
        return any;
    }

    private static String version(String version, String backend, boolean theano) {
        String v = version == null ? "Keras (version not recorded)" : "Keras " + version;
        if (backend != null) {
            return v + ", " + backend + " backend";
        }
        return theano ? v + ", theano backend (from the weight names)" : v;
    }
}
