package lenet5.testing;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;

import java.io.IOException;
import java.lang.reflect.Array;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Hand-made legacy Keras .h5 files (the layout {@code model.save} writes) with the config and the
 * stored weights open to tampering. By default: input 4x4x1, Conv2D(2, 3x3), Flatten, Dense(3).
 * The one HDF5 builder of the test suites (jhdf writes it; jhdf is a test dependency of core).
 */
public final class KerasH5 {
    public static final String CONFIG = """
            {"class_name": "Sequential", "config": {"name": "sequential", "layers": [
              {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 4, 4, 1], "dtype": "float32", "name": "in"}},
              {"class_name": "Conv2D", "config": {"name": "conv2d", "filters": 2, "kernel_size": [3, 3], "strides": [1, 1],
                "padding": "valid", "data_format": "channels_last", "dilation_rate": [1, 1], "activation": "relu", "use_bias": true}},
              {"class_name": "Flatten", "config": {"name": "flatten", "data_format": "channels_last"}},
              {"class_name": "Dense", "config": {"name": "dense", "units": 3, "activation": "softmax", "use_bias": true}}]}}
            """;

    /** The {@code model_config} attribute, written as is. */
    public String config = CONFIG;
    /** Layer name to (weight name to shape); weights are filled with 0.5. */
    public final Map<String, Map<String, int[]>> layers = new LinkedHashMap<>();

    public KerasH5() {
        layers.put("conv2d", new LinkedHashMap<>(Map.of("conv2d/kernel:0", new int[] {3, 3, 1, 2})));
        layers.get("conv2d").put("conv2d/bias:0", new int[] {2});
        layers.put("dense", new LinkedHashMap<>(Map.of("dense/kernel:0", new int[] {8, 3})));
        layers.get("dense").put("dense/bias:0", new int[] {3});
    }

    public Path write(Path file) throws IOException {
        Files.deleteIfExists(file);
        try (WritableHdfFile f = HdfFile.write(file)) {
            f.putAttribute("keras_version", "2.7.0");
            f.putAttribute("backend", "tensorflow");
            f.putAttribute("model_config", config);
            WritableGroup mw = f.putGroup("model_weights");
            mw.putAttribute("layer_names", layers.keySet().toArray(String[]::new));
            for (Map.Entry<String, Map<String, int[]>> l : layers.entrySet()) {
                WritableGroup g = mw.putGroup(l.getKey());
                g.putAttribute("weight_names", l.getValue().keySet().toArray(String[]::new));
                WritableGroup inner = g.putGroup(l.getKey());
                for (Map.Entry<String, int[]> w : l.getValue().entrySet()) {
                    inner.putDataset(w.getKey().substring(w.getKey().indexOf('/') + 1), halves(w.getValue()));
                }
            }
        }
        return file;
    }

    /** A float array of the given dimensions (nested, as jhdf writes it) filled with 0.5. */
    private static Object halves(int[] dims) {
        Object a = Array.newInstance(float.class, dims);
        if (dims.length == 1) {
            Arrays.fill((float[]) a, 0.5f);
        } else {
            for (int i = 0; i < dims[0]; i++) {
                Array.set(a, i, halves(Arrays.copyOfRange(dims, 1, dims.length)));
            }
        }
        return a;
    }
}
