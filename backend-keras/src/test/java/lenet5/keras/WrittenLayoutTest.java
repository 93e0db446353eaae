package lenet5.keras;

import com.fasterxml.jackson.databind.JsonNode;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import lenet5.Lenet5;
import lenet5.keras.config.Json;
import lenet5.layers.Activation;
import lenet5.layers.Conv2d;
import lenet5.layers.Dense;
import lenet5.layers.Flatten;
import lenet5.layers.Layer;
import lenet5.layers.Padding;
import lenet5.layers.Pool2d;
import lenet5.layout.WeightLayouts;
import lenet5.model.ModelInfo;
import lenet5.model.Sequential;
import lenet5.tensor.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Set;
import java.util.List;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The written files have exactly the structure that ../shared/docs/keras-format.md records as
 * loading in Keras 3.11.3 (and, for .h5, in tf.keras 2 and Deeplearning4j), read here with plain
 * jhdf and Jackson rather than with this backend's reader.
 */
class WrittenLayoutTest {
    @TempDir
    Path dir;

    @Test
    void legacyH5() {
        Sequential m = Fixtures.seededLenet();
        Path f = dir.resolve("lenet.h5");
        Lenet5.save(m, f);
        try (HdfFile h = new HdfFile(f)) {
            assertEquals("2.7.0", h.getAttribute("keras_version").getData());
            assertEquals("tensorflow", h.getAttribute("backend").getData());
            JsonNode config = Json.parse(f, "model_config", (String) h.getAttribute("model_config").getData());
            assertEquals("Sequential", config.path("class_name").asText());
            JsonNode layers = config.path("config").path("layers");
            // tf.keras 2.7 form: explicit InputLayer with batch_input_shape, repeated on the first layer; plain dtypes.
            assertEquals("InputLayer", layers.get(0).path("class_name").asText());
            assertEquals("[null,28,28,1]", layers.get(0).path("config").path("batch_input_shape").toString());
            assertEquals("[null,28,28,1]", layers.get(1).path("config").path("batch_input_shape").toString());
            List<String> classes = new ArrayList<>();
            layers.forEach(l -> classes.add(l.path("class_name").asText()));
            assertEquals(List.of("InputLayer", "Conv2D", "AveragePooling2D", "Conv2D", "AveragePooling2D", "Conv2D", "Flatten",
                    "Dense", "Dense"), classes);
            JsonNode conv = layers.get(1).path("config");
            assertEquals("same", conv.path("padding").asText());
            assertEquals("tanh", conv.path("activation").asText());
            assertEquals("float32", conv.path("dtype").asText());
            assertEquals("GlorotUniform", conv.path("kernel_initializer").path("class_name").asText(), "initializers as dicts (DL4J)");
            assertEquals("softmax", layers.get(8).path("config").path("activation").asText());

            Group mw = (Group) h.getChild("model_weights");
            List<String> weighted = List.of("conv2d", "conv2d_1", "conv2d_2", "dense", "dense_1");
            assertArrayEquals(weighted.toArray(), (String[]) mw.getAttribute("layer_names").getData(), "only layers with weights");
            assertEquals(Set.copyOf(weighted), mw.getChildren().keySet(), "no groups for weightless layers");
            for (String l : weighted) {
                Group g = (Group) mw.getChild(l);
                assertArrayEquals(new String[] {l + "/kernel:0", l + "/bias:0"}, (String[]) g.getAttribute("weight_names").getData());
            }
            Conv2d c = (Conv2d) m.layers().get(0);
            Dataset k = h.getDatasetByPath("model_weights/conv2d/conv2d/kernel:0");
            assertArrayEquals(new int[] {5, 5, 1, 6}, k.getDimensions());
            assertArrayEquals(WeightLayouts.convToKeras(c.weight()).data(), (float[]) k.getDataFlat());
            Dense d = Fixtures.layer(m, "dense");
            Dataset dk = h.getDatasetByPath("model_weights/dense/dense/kernel:0");
            assertArrayEquals(new int[] {120, 84}, dk.getDimensions());
            assertArrayEquals(WeightLayouts.denseToKeras(d.weight()).data(), (float[]) dk.getDataFlat());
        }
    }

    @Test
    void kerasZip() throws IOException {
        Sequential m = Fixtures.seededLenet();
        Path f = dir.resolve("lenet.keras");
        Lenet5.save(m, f);
        byte[] weights;
        try (ZipFile z = new ZipFile(f.toFile())) {
            List<String> names = new ArrayList<>();
            z.stream().forEach(e -> {
                names.add(e.getName());
                assertEquals(ZipEntry.STORED, e.getMethod(), "stored, as Keras writes them");
            });
            assertEquals(List.of("metadata.json", "config.json", "model.weights.h5"), names);
            JsonNode meta = Json.parse(f, "metadata", z.getInputStream(z.getEntry("metadata.json")).readAllBytes());
            assertTrue(meta.path("keras_version").asText().startsWith("3."));
            assertTrue(meta.path("date_saved").asText().matches("\\d{4}-\\d\\d-\\d\\d@\\d\\d:\\d\\d:\\d\\d"));
            JsonNode config = Json.parse(f, "config", z.getInputStream(z.getEntry("config.json")).readAllBytes());
            assertEquals("keras", config.path("module").asText());
            assertEquals("[null,28,28,1]", config.path("build_config").path("input_shape").toString());
            JsonNode layers = config.path("config").path("layers");
            assertEquals("[null,28,28,1]", layers.get(0).path("config").path("batch_shape").toString(), "Keras 3 batch_shape");
            JsonNode conv = layers.get(1);
            assertEquals("keras.layers", conv.path("module").asText());
            assertTrue(conv.has("registered_name"));
            assertEquals("DTypePolicy", conv.path("config").path("dtype").path("class_name").asText());
            assertEquals("[null,28,28,1]", conv.path("build_config").path("input_shape").toString());
            assertEquals("[null,14,14,6]", layers.get(3).path("build_config").path("input_shape").toString());
            weights = z.getInputStream(z.getEntry("model.weights.h5")).readAllBytes();
        }
        try (HdfFile h = HdfFile.fromBytes(weights)) {
            Group layers = (Group) h.getChild("layers");
            assertEquals(Set.of("conv2d", "conv2d_1", "conv2d_2", "dense", "dense_1"), layers.getChildren().keySet());
            Dataset k = h.getDatasetByPath("layers/conv2d_2/vars/0");
            assertArrayEquals(new int[] {5, 5, 16, 120}, k.getDimensions());
            Conv2d c = Fixtures.layer(m, "conv2d_2");
            assertArrayEquals(WeightLayouts.convToKeras(c.weight()).data(), (float[]) k.getDataFlat());
            assertArrayEquals(c.bias().data(), (float[]) h.getDatasetByPath("layers/conv2d_2/vars/1").getDataFlat());
        }
    }

    /** Padding, pooling, activations and the Flatten order, translated as the writer's rules say. */
    @Test
    void translationRules() {
        Sequential m = Built.everyWriterPath();
        Path f = dir.resolve("built.h5");
        Lenet5.save(m, f);
        JsonNode layers;
        try (HdfFile h = new HdfFile(f)) {
            layers = Json.parse(f, "model_config", (String) h.getAttribute("model_config").getData()).path("config").path("layers");
        }
        List<String> summary = new ArrayList<>();
        for (JsonNode l : layers) {
            JsonNode c = l.path("config");
            String s = l.path("class_name").asText();
            if (c.has("padding")) {
                s += " " + c.path("padding");
            }
            if (c.has("activation")) {
                s += " " + c.path("activation").asText();
            }
            summary.add(s);
        }
        assertEquals(List.of("InputLayer",
                "Conv2D \"same\" relu",                 // asymmetric (0,1,0,1) is what Keras computes for 'same'
                "MaxPooling2D \"same\"",
                "ZeroPadding2D [[2,2],[1,1]]",          // symmetric padding 2x1 is not 'same' for a 3x3 kernel
                "Conv2D \"valid\" linear",
                "BatchNormalization",
                "Activation tanh",
                "ZeroPadding2D [[1,0],[1,0]]",          // average pooling that counts padded zeros
                "AveragePooling2D \"valid\"",
                "Conv2D \"valid\" sigmoid",
                "AveragePooling2D \"valid\"",
                "Flatten", "Dropout", "Dense relu", "Dense softmax"), summary);
        // The first Dense after the Flatten of a 3x2 map reads (H,W,C) columns.
        Dense d1 = (Dense) m.layers().get(12);
        try (HdfFile h = new HdfFile(f)) {
            float[] stored = (float[]) h.getDatasetByPath("model_weights/d1/d1/kernel:0").getDataFlat();
            assertArrayEquals(WeightLayouts.denseToKeras(WeightLayouts.denseColumnsToHwc(d1.weight(), Shape.chw(8, 3, 2))).data(), stored);
        }
    }

    /** Names that are not valid Keras names (PyTorch's "0", "features.0/x") become Keras-style ones; valid names stay. */
    @Test
    void namesAreValidAndUnique() {
        Random r = new Random(3);
        List<Layer> ls = List.of(Built.conv(r, "0", 1, 2, 3, 1, Padding.NONE), new Activation("1", Activation.Function.TANH),
                new Pool2d("2", Pool2d.Kind.AVG, 2, 2, 2, 2, Padding.NONE, true, false), new Flatten("flatten"),
                Built.dense(r, "dense", 2 * 13 * 13, 5), Built.dense(r, "dense", 5, 3), new Activation("a/b", Activation.Function.SIGMOID));
        Sequential m = new Sequential(Shape.chw(1, 28, 28), ls, ModelInfo.UNKNOWN);
        Path f = dir.resolve("names.keras");
        Sequential back = RoundTripTest.roundTrip(m, f);
        assertEquals(List.of("conv2d", "conv2d/tanh", "average_pooling2d", "flatten", "dense", "dense_1", "dense_1/sigmoid"),
                back.layers().stream().map(Layer::name).toList());
    }
}
