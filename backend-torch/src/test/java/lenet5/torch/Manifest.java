package lenet5.torch;

import lenet5.LoadOptions;
import lenet5.tensor.Shape;
import lenet5.testing.TestFiles;
import lenet5.torch.nn.TorchSyntax;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * One {@code X.properties} manifest written by real PyTorch 1.13, with its X.pt: testdata/torch
 * (generate.py, LeNet-5 variants) and testdata/layers/torch (layers/generate_torch.py, the wider
 * layer vocabulary).
 */
record Manifest(Path file, Properties p) {
    static Path dir() {
        return TestFiles.testdata().resolve("torch");
    }

    static List<Manifest> all() {
        return Stream.concat(list(dir()).stream(), list(TestFiles.testdata().resolve("layers/torch")).stream()).toList();
    }

    private static List<Manifest> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> f.toString().endsWith(".properties")).sorted().map(Manifest::load).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Manifest named(String stem) {
        return load(dir().resolve(stem + ".properties"));
    }

    static Manifest load(Path f) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(f)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Manifest(f, p);
    }

    String stem() {
        String n = file.getFileName().toString();
        return n.substring(0, n.length() - ".properties".length());
    }

    Path model() {
        return file.resolveSibling(stem() + ".pt");
    }

    String get(String key) {
        return p.getProperty(key);
    }

    Path path(String key) {
        String v = get(key);
        return v == null ? null : file.resolveSibling(v).normalize();
    }

    Shape inputShape() {
        return Shape.parse(get("input_chw"));
    }

    int samples() {
        return Integer.parseInt(get("input_shape").split(",")[0]);
    }

    /** What a user would pass: the manifest's architecture, and the input shape when it is not the 1x28x28 default. */
    LoadOptions options() {
        LoadOptions o = LoadOptions.DEFAULTS;
        if (!"1,28,28".equals(get("input_chw"))) {
            o = o.withInputShape(inputShape());
        }
        if (get("architecture") != null) {
            o = o.withArchitecture(TorchSyntax.parse(get("architecture"), inputShape()));
        }
        return o;
    }

    @Override
    public String toString() {
        return stem();
    }
}
