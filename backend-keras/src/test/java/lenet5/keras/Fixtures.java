package lenet5.keras;

import lenet5.LoadOptions;
import lenet5.spi.Source;
import lenet5.io.RawFloats;
import lenet5.layers.Layer;
import lenet5.model.Predictor;
import lenet5.model.Sequential;
import lenet5.tensor.Shape;
import lenet5.testing.TestFiles;

import java.nio.file.Path;
import java.util.List;

/** The shared Keras fixtures (../shared/fixtures, written by real Keras) and small helpers around them. */
final class Fixtures {
    /** Rows of every recorded Keras output here. */
    static final int N = 64;

    private Fixtures() {
    }

    static Path root() {
        return TestFiles.sharedFixtures();
    }

    static Path keras3(String name) {
        return root().resolve("keras3").resolve(name);
    }

    static Path thirdParty(String name) {
        return root().resolve("third-party").resolve(name);
    }

    static Path dl4j(String name) {
        return root().resolve("third-party/dl4j").resolve(name);
    }

    static Sequential load(Path file) {
        return new KerasFormat().read(Source.of(file), LoadOptions.DEFAULTS);
    }

    static Sequential load(Path file, Sequential architecture) {
        return new KerasFormat().read(Source.of(file), LoadOptions.DEFAULTS.withArchitecture(architecture));
    }

    /** The seeded tutorial LeNet-5 of keras3/, from the .keras zip. */
    static Sequential seededLenet() {
        return load(keras3("lenet5_seeded_k3.keras"));
    }

    /** The fixed random inputs (NHWC) that Keras 3 ran the third-party models on, chosen by the model's input shape. */
    static float[] inputsFor(Sequential m) {
        Shape s = m.inputShape();
        return RawFloats.read(root().resolve("third-party/keras3-outputs/inputs_" + N + "x" + s.height() + "x" + s.width()
                + "x" + s.channels() + ".f32"));
    }

    /** The model's outputs for images in its native layout (NHWC for Keras). */
    static float[] predict(Sequential m, float[] images) {
        try (Predictor p = m.newPredictor(m.nativeLayout())) {
            return p.batchPredict(images);
        }
    }

    /**
     * The index of the canonical layer whose output is Keras layer {@code kerasName}'s output: a
     * Keras layer with a fused activation became the layer itself plus {@code name/activation}.
     */
    static int canonicalIndexOf(Sequential m, String kerasName) {
        List<Layer> ls = m.layers();
        int found = -1;
        for (int i = 0; i < ls.size(); i++) {
            String n = ls.get(i).name();
            if (n.equals(kerasName) || n.startsWith(kerasName + "/")) {
                found = i;
            }
        }
        if (found < 0) {
            throw new AssertionError("no layer for Keras layer " + kerasName + " in\n" + m);
        }
        return found;
    }

    /** The layer named exactly {@code name}. */
    @SuppressWarnings("unchecked")
    static <T extends Layer> T layer(Sequential m, String name) {
        return (T) m.layers().stream().filter(l -> l.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no layer " + name + " in\n" + m));
    }
}
