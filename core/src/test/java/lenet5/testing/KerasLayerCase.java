package lenet5.testing;

import lenet5.io.RawFloats;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * One model of {@code testdata/layers/keras}, written by real Keras 3.11.3
 * (testdata/layers/generate_keras.py) in several file kinds, with Keras's outputs.
 *
 * @param name    the model's stem ({@code k1})
 * @param files   the kinds present: keras, h5, weights (.weights.h5 with the .json architecture), keras2 (tf.keras 2 form .h5)
 * @param refused conversions that must be refused, {@code target: reason substring}, comma-separated
 */
public record KerasLayerCase(Path dir, String name, List<String> files, int[] inputShape, int[] outputShape, String refused) {
    public static List<KerasLayerCase> all() {
        Path dir = TestFiles.testdata().resolve("layers/keras");
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> f.toString().endsWith(".properties")).sorted().map(KerasLayerCase::load).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static KerasLayerCase load(Path f) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(f)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String name = f.getFileName().toString().replace(".properties", "");
        return new KerasLayerCase(f.getParent(), name, List.of(p.getProperty("files").split(",")), ints(p.getProperty("input_shape")),
                ints(p.getProperty("output_shape")), p.getProperty("refused", ""));
    }

    private static int[] ints(String s) {
        return Arrays.stream(s.split(",")).mapToInt(v -> Integer.parseInt(v.trim())).toArray();
    }

    /** The file of a kind: {@code k1.keras}, {@code k1.h5}, {@code k1.weights.h5}, {@code k1_keras2.h5}. */
    public Path file(String kind) {
        return dir.resolve(switch (kind) {
            case "weights" -> name + ".weights.h5";
            case "keras2" -> name + "_keras2.h5";
            default -> name + "." + kind;
        });
    }

    /** model.to_json(), the architecture for the .weights.h5 file. */
    public Path json() {
        return dir.resolve(name + ".json");
    }

    public Path inputs() {
        return dir.resolve(name + ".inputs.f32");
    }

    public Path outputs() {
        return dir.resolve(name + ".outputs.f32");
    }

    public float[] inputValues() {
        return RawFloats.read(inputs());
    }

    public float[] outputValues() {
        return RawFloats.read(outputs());
    }

    public int samples() {
        return inputShape[0];
    }

    /** The reason substring for refusing {@code target} ("pt", "h5", "keras"), or null when it must convert. */
    public String refusal(String target) {
        for (String r : refused.split(",")) {
            int colon = r.indexOf(':');
            if (colon > 0 && r.substring(0, colon).trim().equals(target)) {
                return r.substring(colon + 1).trim();
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return name;
    }
}
