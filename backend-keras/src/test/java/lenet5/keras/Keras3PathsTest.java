package lenet5.keras;

import io.jhdf.HdfFile;
import io.jhdf.api.Group;
import lenet5.io.RawFloats;
import lenet5.keras.h5.Keras3Paths;
import lenet5.keras.h5.Keras3Weights;
import lenet5.model.Sequential;
import lenet5.testing.TestFiles;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Keras 3 keeps variables under class-and-counter paths, not layer names. The fixtures in
 * src/test/resources/keras3 were made by real Keras 3.11.3 (make_keras3_fixtures.py, MANIFEST.txt)
 * with names Keras did not default (conv2d_4, dense_6, c1, s2, ...), a nested Sequential and a
 * functional chain; every file of each must give Keras's outputs.
 */
class Keras3PathsTest {
    static final List<String> MODELS = List.of("k3_default", "k3_suffixed", "k3_named", "k3_nested", "k3_functional");
    static final double TOL = 1e-6; // softmax outputs in [0, 1]; see FixtureTest.TOL

    @TempDir
    Path tmp;

    @Test
    void snakeCaseIsKerasS() {
        assertEquals("conv2d", Keras3Paths.snakeCase("Conv2D"));
        assertEquals("max_pooling2d", Keras3Paths.snakeCase("MaxPooling2D"));
        assertEquals("batch_normalization", Keras3Paths.snakeCase("BatchNormalization"));
        assertEquals("re_lu", Keras3Paths.snakeCase("ReLU"));
        assertEquals(List.of("layers/conv2d", "layers/max_pooling2d", "layers/conv2d_1", "layers/dense"),
                Keras3Paths.paths("", List.of("Conv2D", "MaxPooling2D", "Conv2D", "Dense")));
        assertEquals(List.of("layers/sequential/layers/dense"), Keras3Paths.paths("layers/sequential", List.of("Dense")));
    }

    @TestFactory
    Stream<DynamicTest> everyFileOfEveryModelGivesKerassOutputs() {
        return MODELS.stream().flatMap(m -> Stream.of(".keras", ".h5", ".weights.h5").map(ext -> DynamicTest.dynamicTest(m + ext, () -> {
            Path dir = Resources.path("keras3");
            Sequential model = ext.equals(".weights.h5")
                    ? Fixtures.load(dir.resolve(m + ext), Fixtures.load(dir.resolve(m + ".keras")))
                    : Fixtures.load(dir.resolve(m + ext));
            float[] got = Fixtures.predict(model, RawFloats.read(dir.resolve("inputs_8x28x28x1.f32")));
            var d = TestFiles.assertClose(RawFloats.read(dir.resolve(m + ".outputs.f32")), got, 8, TOL, m + ext + " vs Keras 3.11.3");
            assertEquals(8, d.argmaxAgreement());
        })));
    }

    /** The writer puts variables where Keras 3 looks for them, whatever the layers are named (real Keras loads them: integration-tests). */
    @Test
    void writtenKerasFilesUseClassPathsNotNames() throws IOException {
        Sequential named = Fixtures.load(Resources.path("keras3/k3_named.keras"));
        Path out = tmp.resolve("named.keras");
        lenet5.Lenet5.save(named, out);
        Path weights = tmp.resolve("model.weights.h5");
        try (ZipFile z = new ZipFile(out.toFile())) {
            Files.copy(z.getInputStream(z.getEntry("model.weights.h5")), weights);
        }
        try (HdfFile h = new HdfFile(weights)) {
            assertEquals(Set.of("layers/conv2d", "layers/batch_normalization", "layers/conv2d_1", "layers/dense", "layers/dense_1"),
                    Keras3Weights.withVariables(weights, (Group) h));
        }
    }
}
