package lenet5.keras;

import lenet5.Lenet5;
import lenet5.UnsupportedFormatException;
import lenet5.layers.Activation;
import lenet5.layers.Activation.Function;
import lenet5.layers.AdaptivePool2d;
import lenet5.layers.Flatten;
import lenet5.layers.Layer;
import lenet5.model.Sequential;
import lenet5.tensor.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How Keras configs of each generation spell the activations and layers that real numbers test
 * in {@link LayerVocabularyTest}: the forms those files do not contain (Keras 3's serialized
 * function objects, Keras 2's hard_sigmoid, ReLU options, Reshape forms).
 */
class ActivationFormsTest {
    @TempDir
    Path dir;

    private Sequential load(boolean keras3, String... layers) throws IOException {
        String dtype = keras3 ? "{\"module\": \"keras\", \"class_name\": \"DTypePolicy\", \"config\": {\"name\": \"float32\"}}" : "\"float32\"";
        StringBuilder sb = new StringBuilder("{\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": [")
                .append("{\"class_name\": \"InputLayer\", \"config\": {\"name\": \"in\", \"batch_input_shape\": [null, 4], \"dtype\": ")
                .append(dtype).append("}}");
        for (String l : layers) {
            sb.append(", ").append(l);
        }
        Path f = dir.resolve("m.json");
        Files.writeString(f, sb.append("]}}").toString());
        return Lenet5.load(f);
    }

    private static Activation only(Sequential m) {
        return assertInstanceOf(Activation.class, m.layers().get(m.layers().size() - 1));
    }

    @Test
    void keras3FunctionObjectsAndNames() throws IOException {
        Sequential m = load(true, "{\"class_name\": \"Activation\", \"config\": {\"name\": \"a\", \"activation\": "
                + "{\"module\": \"keras.activations\", \"class_name\": \"function\", \"config\": \"gelu\", \"registered_name\": \"function\"}}}");
        assertEquals(Function.GELU, only(m).function());
        assertEquals(new Activation("d/leaky_relu", Function.LEAKY_RELU, 0.2, 0),
                load(true, "{\"class_name\": \"Dense\", \"config\": {\"name\": \"d\", \"units\": 2, \"activation\": \"leaky_relu\"}}")
                        .layers().get(1));
        assertEquals(new Activation("a", Function.HARDTANH, 0, 6),
                only(load(true, "{\"class_name\": \"Activation\", \"config\": {\"name\": \"a\", \"activation\": \"relu6\"}}")));
    }

    /** hard_sigmoid is clip(0.2x + 0.5, 0, 1) in Keras 1 and 2 (keras/activations.py), relu6(x+3)/6 in Keras 3. */
    @Test
    void hardSigmoidFollowsTheGeneration() throws IOException {
        String a = "{\"class_name\": \"Activation\", \"config\": {\"name\": \"a\", \"activation\": \"hard_sigmoid\"}}";
        assertEquals(0.2, only(load(false, a)).a());
        assertEquals(1.0 / 6, only(load(true, a)).a());
    }

    @Test
    void reluLayerOptions() throws IOException {
        assertEquals(new Activation("r", Function.HARDTANH, 0, 6),
                only(load(false, "{\"class_name\": \"ReLU\", \"config\": {\"name\": \"r\", \"max_value\": 6.0, \"negative_slope\": 0.0, \"threshold\": 0.0}}")));
        assertEquals(new Activation("r", Function.LEAKY_RELU, 0.1, 0),
                only(load(false, "{\"class_name\": \"ReLU\", \"config\": {\"name\": \"r\", \"negative_slope\": 0.1}}")));
        assertEquals(new Activation("l", Function.LEAKY_RELU, 0.3, 0),
                only(load(false, "{\"class_name\": \"LeakyReLU\", \"config\": {\"name\": \"l\"}}")), "Keras's default slope");
        var e = assertThrows(UnsupportedFormatException.class,
                () -> load(false, "{\"class_name\": \"ReLU\", \"config\": {\"name\": \"r\", \"threshold\": 0.5}}"));
        assertTrue(e.getMessage().contains("threshold"), e.getMessage());
        e = assertThrows(UnsupportedFormatException.class,
                () -> load(false, "{\"class_name\": \"Activation\", \"config\": {\"name\": \"a\", \"activation\": \"mish\"}}"));
        assertTrue(e.getMessage().contains("'mish' is not supported"), e.getMessage());
    }

    @Test
    void reshapeFirstMakesTheInputAMap() throws IOException {
        Path f = dir.resolve("r.json");
        for (String input : List.of("[null, 784]", "[null, 28, 28]")) {
            Files.writeString(f, "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": ["
                    + "{\"class_name\": \"Reshape\", \"config\": {\"name\": \"r\", \"batch_input_shape\": " + input + ", \"target_shape\": [28, -1, 1]}},"
                    + "{\"class_name\": \"GlobalMaxPooling2D\", \"config\": {\"name\": \"g\"}},"
                    + "{\"class_name\": \"Reshape\", \"config\": {\"name\": \"flat\", \"target_shape\": [-1]}}]}}");
            Sequential m = Lenet5.load(f);
            assertEquals(Shape.chw(1, 28, 28), m.inputShape(), input);
            List<Layer> ls = m.layers();
            assertEquals(AdaptivePool2d.global("g", lenet5.layers.Pool2d.Kind.MAX), ls.get(0));
            assertEquals(List.of("g", "g/flatten", "flat"), ls.stream().map(Layer::name).toList());
            assertInstanceOf(Flatten.class, ls.get(2));
        }
        Files.writeString(f, "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": ["
                + "{\"class_name\": \"Reshape\", \"config\": {\"name\": \"r\", \"batch_input_shape\": [null, 700], \"target_shape\": [28, 28, 1]}}]}}");
        var e = assertThrows(lenet5.Lenet5Exception.class, () -> Lenet5.load(f));
        assertTrue(e.getMessage().contains("reshapes an input of 700 values"), e.getMessage());
    }
}
