package lenet5.keras;

import lenet5.Lenet5;
import lenet5.LoadOptions;
import lenet5.keras.config.Json;
import lenet5.keras.config.ModelBuilder;
import lenet5.keras.config.ModelConfig;
import lenet5.keras.read.KerasLoader;
import lenet5.layers.Layer;
import lenet5.layout.Layout;
import lenet5.model.Sequential;
import lenet5.tensor.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Model configs of every form: functional chains, standalone JSON, data formats. */
class ConfigTest {
    @TempDir
    Path dir;

    private static final String KERAS2_FUNCTIONAL = """
            {"class_name": "Model", "config": {"name": "m", "layers": [
              {"class_name": "InputLayer", "name": "in", "config": {"batch_input_shape": [null, 4], "name": "in"}, "inbound_nodes": []},
              {"class_name": "Dense", "name": "a", "config": {"name": "a", "units": 3, "activation": "relu"}, "inbound_nodes": [[["in", 0, 0, {}]]]},
              {"class_name": "Dense", "name": "b", "config": {"name": "b", "units": 2, "activation": "softmax"}, "inbound_nodes": [[["a", 0, 0, {}]]]}],
              "input_layers": [["in", 0, 0]], "output_layers": [["b", 0, 0]]}, "keras_version": "2.2.4"}
            """;

    private static final String KERAS3_FUNCTIONAL = """
            {"module": "keras.src.models.functional", "class_name": "Functional", "config": {"name": "f", "layers": [
              {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 4], "name": "input_layer"},
               "registered_name": null, "name": "input_layer", "inbound_nodes": []},
              {"module": "keras.layers", "class_name": "Dense", "config": {"name": "a", "units": 3, "activation": "relu"},
               "registered_name": null, "name": "a", "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__",
               "config": {"shape": [null, 4], "dtype": "float32", "keras_history": ["input_layer", 0, 0]}}], "kwargs": {}}]},
              {"module": "keras.layers", "class_name": "Dense", "config": {"name": "b", "units": 2, "activation": "softmax"},
               "registered_name": null, "name": "b", "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__",
               "config": {"shape": [null, 3], "dtype": "float32", "keras_history": ["a", 0, 0]}}], "kwargs": {}}]}],
              "input_layers": [["input_layer", 0, 0]], "output_layers": [["b", 0, 0]]}, "registered_name": "Functional"}
            """;

    @Test
    void functionalChainsInBothGenerations() throws IOException {
        for (String json : List.of(KERAS2_FUNCTIONAL, KERAS3_FUNCTIONAL)) {
            Path f = dir.resolve("functional.json");
            Files.writeString(f, json);
            Sequential m = Lenet5.load(f);
            assertEquals(Shape.flat(4), m.inputShape());
            assertEquals(List.of("a", "a/relu", "b", "b/softmax"), m.layers().stream().map(Layer::name).toList());
            assertEquals(KerasLoader.JSON_CONFIG, m.info().format());
        }
    }

    /** model.to_json() of the seeded LeNet (the .keras zip's config.json) as an architecture for its .weights.h5. */
    @Test
    void standaloneJsonArchitectureTakesKeras3Weights() throws IOException {
        Path json = dir.resolve("lenet.json");
        try (ZipFile z = new ZipFile(Fixtures.keras3("lenet5_seeded_k3.keras").toFile())) {
            Files.write(json, z.getInputStream(z.getEntry("config.json")).readAllBytes());
        }
        Sequential arch = Lenet5.load(json);
        assertTrue(arch.weights().stream().allMatch(t -> allZero(t.data())), "an architecture has zero weights");
        Sequential m = Lenet5.load(Fixtures.keras3("lenet5_seeded_k3.weights.h5"), LoadOptions.DEFAULTS.withArchitecture(arch));
        Sequential zip = Fixtures.seededLenet();
        for (int i = 0; i < zip.weights().size(); i++) {
            assertTrue(zip.weights().get(i).bitEquals(m.weights().get(i)));
        }
    }

    /**
     * Keras 2.2+ Flatten(data_format='channels_first') transposes to channels-last first, so the
     * Dense after it reads (H,W,C); Keras 1's Flatten flattens a channels_first map as it is.
     */
    @Test
    void flattenOrderFollowsKerasGenerations() {
        String keras1 = """
                {"class_name": "Sequential", "config": [
                  {"class_name": "Convolution2D", "config": {"name": "c", "batch_input_shape": [null, 1, 6, 6], "nb_filter": 2,
                    "nb_row": 3, "nb_col": 3, "dim_ordering": "th", "border_mode": "valid"}},
                  {"class_name": "Flatten", "config": {"name": "f"}},
                  {"class_name": "Dense", "config": {"name": "d", "output_dim": 2}}]}""";
        var th = build(keras1);
        assertFalse(th.flattenHwc());
        assertEquals(Layout.NCHW, th.layout());
        assertEquals(lenet5.keras.config.KernelOrder.THEANO, th.order());
        assertEquals(Shape.chw(1, 6, 6), th.skeleton().inputShape());
        String keras2 = """
                {"class_name": "Sequential", "config": {"layers": [
                  {"class_name": "Conv2D", "config": {"name": "c", "batch_input_shape": [null, 1, 6, 6], "filters": 2,
                    "kernel_size": [3, 3], "data_format": "channels_first"}},
                  {"class_name": "Flatten", "config": {"name": "f", "data_format": "channels_first"}},
                  {"class_name": "Dense", "config": {"name": "d", "units": 2}}]}}""";
        var cf = build(keras2);
        assertTrue(cf.flattenHwc());
        assertEquals(lenet5.keras.config.KernelOrder.TF, cf.order());
        assertEquals(Layout.NCHW, cf.layout());
        var tf = build(keras2.replace("channels_first", "channels_last").replace("[null, 1, 6, 6]", "[null, 6, 6, 1]"));
        assertTrue(tf.flattenHwc());
        assertEquals(Shape.chw(1, 6, 6), tf.skeleton().inputShape());
    }

    @Test
    void keras1ZeroPaddingForms() {
        for (String padding : List.of("[1, 2]", "[[1, 1], [2, 2]]", "{\"top_pad\": 1, \"bottom_pad\": 1, \"left_pad\": 2, \"right_pad\": 2}")) {
            var a = build("""
                    {"class_name": "Sequential", "config": [
                      {"class_name": "ZeroPadding2D", "config": {"name": "z", "batch_input_shape": [null, 5, 5, 1], "padding": %s}}]}"""
                    .formatted(padding));
            assertEquals(Shape.chw(1, 7, 9), a.skeleton().outputShape(), padding);
        }
    }

    private static lenet5.keras.config.Architecture build(String json) {
        Path f = Path.of("inline.json");
        return ModelBuilder.build(f, ModelConfig.parse(f, Json.parse(f, "config", json)), null);
    }

    private static boolean allZero(float[] v) {
        for (float x : v) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    @Test
    void modelInfoRecordsWhatTheFileStores() {
        Sequential h5 = Fixtures.load(Fixtures.keras3("lenet5_seeded_k3.h5"));
        assertEquals(KerasLoader.LEGACY_H5, h5.info().format());
        assertEquals("Keras 3.11.3, torch backend", h5.info().frameworkVersion());
        assertEquals(Layout.NHWC, h5.nativeLayout());
        var w = h5.info().storedWeights().get(0);
        assertEquals("sequential/conv2d/kernel", w.name());
        assertEquals(List.of(5, 5, 1, 6), w.shape());
        assertEquals("float32", w.dtype());
        assertEquals("(kh,kw,in,out)", w.layout().describe());
        assertEquals(0, w.layer());
        assertEquals(10, h5.info().storedWeights().size());
        assertEquals("(in,out)", h5.info().storedWeights().get(6).layout().describe());

        Sequential zip = Fixtures.seededLenet();
        assertEquals("Keras 3.11.3", zip.info().frameworkVersion());
        assertEquals("layers/conv2d/vars/0", zip.info().storedWeights().get(0).name());

        Sequential rye = Fixtures.load(Fixtures.thirdParty("Rye-Catcher_LeNet-5__Keras_MNIST_lenet.h5"));
        assertEquals("conv2d_1/kernel:0", rye.info().storedWeights().get(0).name());
        assertEquals("Keras 2.3.1, tensorflow backend", rye.info().frameworkVersion());

        Sequential th = Fixtures.load(Fixtures.dl4j("examples_mnist_cnn_mnist_cnn_th_keras_1_weights.h5"),
                Resources.architecture("mnist_cnn_th_keras1.json"));
        assertEquals("(out,in,kh,kw) theano", th.info().storedWeights().get(0).layout().describe());
        assertEquals("convolution2d_1_W", th.info().storedWeights().get(0).name());
        assertEquals(Layout.NCHW, th.nativeLayout());
        assertEquals(KerasLoader.WEIGHTS_H5, th.info().format());
        assertTrue(th.info().frameworkVersion().contains("theano"), th.info().frameworkVersion());
        assertArrayEquals(new int[] {1, 28, 28}, new int[] {th.inputShape().channels(), th.inputShape().height(), th.inputShape().width()});
    }
}
