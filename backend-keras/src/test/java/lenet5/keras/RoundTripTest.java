package lenet5.keras;

import lenet5.LoadOptions;
import lenet5.spi.Source;
import lenet5.SaveOptions;
import lenet5.layers.Layer;
import lenet5.layout.Layout;
import lenet5.model.Predictor;
import lenet5.model.Sequential;
import lenet5.tensor.Tensor;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Read a fixture, write it as .h5 and as .keras, read that back: same layers, every weight bit for bit, same outputs. */
class RoundTripTest {
    @TempDir
    Path dir;

    static List<Models.Source> sources() {
        Fixtures.root();
        return Models.all();
    }

    @ParameterizedTest(name = "{0} -> .h5")
    @MethodSource("sources")
    void h5(Models.Source source) {
        roundTrip(source.model().get(), dir.resolve("model.h5"));
    }

    @ParameterizedTest(name = "{0} -> .keras")
    @MethodSource("sources")
    void keras(Models.Source source) {
        roundTrip(source.model().get(), dir.resolve("model.keras"));
    }

    static Sequential roundTrip(Sequential original, Path target) {
        KerasFormat keras = new KerasFormat();
        keras.write(original, target, SaveOptions.DEFAULTS);
        Sequential back = keras.read(Source.of(target), LoadOptions.DEFAULTS);
        assertEquals(original.inputShape(), back.inputShape());
        assertEquals(describe(original), describe(back));
        List<Tensor> a = original.weights(), b = back.weights();
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertTrue(a.get(i).bitEquals(b.get(i)), "weight " + i + " differs after the round trip");
        }
        // Same weights and layers give the same numbers; compared in one layout whatever each model's native one.
        float[] images = random(original.inputShape().size() * 8);
        try (Predictor p = original.newPredictor(Layout.NCHW); Predictor q = back.newPredictor(Layout.NCHW)) {
            assertArrayEquals(p.batchPredict(images), q.batchPredict(images));
        }
        return back;
    }

    static List<String> describe(Sequential m) {
        return m.layers().stream().map(Layer::describe).toList();
    }

    static float[] random(int n) {
        Random r = new Random(42);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextFloat();
        }
        return v;
    }
}
