package lenet5.safety;

import lenet5.Lenet5;
import lenet5.LoadOptions;
import lenet5.model.Sequential;
import lenet5.tensor.Shape;
import lenet5.testing.TestFiles;
import lenet5.torch.nn.TorchSyntax;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * The real model files the fuzzer starts from, each with the options that make it load: the
 * architecture for weights-only files (from the testdata manifest's {@code architecture=}, or a
 * Keras weights file's sibling full model) and the input shape when the file does not record it.
 */
final class FuzzFixtures {
    record Fixture(String id, Path file, LoadOptions options, String note) {
        String fileName() {
            return file.getFileName().toString();
        }
    }

    private FuzzFixtures() {
    }

    /** Every .pt in testdata/torch. */
    static List<Fixture> torch() {
        return list(TestFiles.testdata().resolve("torch"), ".pt").map(FuzzFixtures::torchFixture).toList();
    }

    /**
     * The hand-made HDF5 files of testdata/hostile (links, link loops, a hard-link cycle, unwritten
     * chunks, filter pipelines): mutating them reaches link handling that the real files have none of.
     * Each is a save_weights file of one Dense(2 -> 3).
     */
    static List<Fixture> hostile() {
        Sequential dense = TorchSyntax.parse("Sequential(Linear(2, 3))", Shape.flat(2));
        return list(TestFiles.testdata().resolve("hostile"), ".h5")
                .map(p -> new Fixture("hostile/" + p.getFileName(), p, new LoadOptions(dense, Shape.flat(2), null), "hand-made"))
                .toList();
    }

    /** Every .h5, .keras and .pth under ../shared/fixtures (the caller checks that it exists). */
    static List<Fixture> shared(Path shared) {
        return list(shared, ".h5", ".keras", ".pth").map(p -> sharedFixture(shared, p)).toList();
    }

    /** ../shared/fixtures without the JUnit assumption, for sizing the run; null when absent. */
    static Path sharedOrNull() {
        Path p = TestFiles.root().resolve("../shared/fixtures").normalize();
        return Files.isDirectory(p) ? p : null;
    }

    private static Fixture torchFixture(Path pt) {
        String stem = stem(pt);
        Path manifest = pt.resolveSibling(stem + ".properties");
        Properties props = new Properties();
        if (Files.isRegularFile(manifest)) {
            try (InputStream in = Files.newInputStream(manifest)) {
                props.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Shape shape = props.containsKey("input_chw") ? Shape.parse(props.getProperty("input_chw").replace(',', 'x')) : null;
        String arch = props.getProperty("architecture");
        String note = props.getProperty("error") != null ? "expected refusal: " + props.getProperty("error") : "";
        if (arch == null) {
            return new Fixture("torch/" + pt.getFileName(), pt, new LoadOptions(null, shape, null), note);
        }
        try {
            Sequential a = TorchSyntax.parse(arch, shape == null ? Shape.chw(1, 28, 28) : shape);
            return new Fixture("torch/" + pt.getFileName(), pt, new LoadOptions(a, shape, null), note + "architecture from manifest");
        } catch (RuntimeException | LinkageError e) {
            // The state_dict is still fuzzed (every outcome must be a clean refusal), just not past the binding step.
            return new Fixture("torch/" + pt.getFileName(), pt, new LoadOptions(null, shape, null), "manifest architecture unusable: " + e);
        }
    }

    private static final String MNIST_CNN = "Sequential(Conv2d(1, 32, 3), ReLU(), Conv2d(32, 32, 3), ReLU(), MaxPool2d(2), "
            + "Dropout(0.25), Flatten(), Linear(4608, 128), ReLU(), Dropout(0.5), Linear(128, 10), Softmax(dim=1))";

    /**
     * Architectures for the shared weights-only files, read off their tensor shapes (the
     * activations are guesses, which is fine: the fuzzer checks safety, not numbers).
     */
    private static final java.util.Map<String, String[]> SHARED_ARCHITECTURES = java.util.Map.of(
            "ghost9933_LENET-5_lenet5.pth", new String[] {"1x32x32", "Sequential(Conv2d(1, 6, 5), Tanh(), AvgPool2d(2), "
                    + "Conv2d(6, 16, 5), Tanh(), AvgPool2d(2), Flatten(), Linear(400, 120), Tanh(), Linear(120, 84), Tanh(), Linear(84, 10))"},
            "examples_mnist_cnn_mnist_cnn_tf_keras_1_weights.h5", new String[] {"1x28x28", MNIST_CNN},
            "examples_mnist_cnn_mnist_cnn_th_keras_1_weights.h5", new String[] {"1x28x28", MNIST_CNN},
            "examples_mnist_mlp_mnist_mlp_tf_keras_2_weights.h5", new String[] {"1x28x28", "Sequential(Flatten(), Linear(784, 512), "
                    + "ReLU(), Dropout(0.2), Linear(512, 512), ReLU(), Dropout(0.2), Linear(512, 10), Softmax(dim=1))"});

    private static Fixture sharedFixture(Path shared, Path file) {
        String id = "shared/" + shared.relativize(file).toString().replace('\\', '/');
        String name = file.getFileName().toString();
        String[] known = SHARED_ARCHITECTURES.get(name);
        if (known != null) {
            try {
                Shape s = Shape.parse(known[0]);
                return new Fixture(id, file, new LoadOptions(TorchSyntax.parse(known[1], s), s, null), "architecture read off the tensor shapes");
            } catch (RuntimeException | LinkageError e) {
                return new Fixture(id, file, LoadOptions.DEFAULTS, "architecture unusable: " + e);
            }
        }
        if (name.endsWith(".weights.h5")) {
            Path full = file.resolveSibling(name.substring(0, name.length() - ".weights.h5".length()) + ".h5");
            if (Files.isRegularFile(full)) {
                try {
                    Sequential a = Lenet5.load(full);
                    return new Fixture(id, file, LoadOptions.DEFAULTS.withArchitecture(a), "architecture from " + full.getFileName());
                } catch (RuntimeException e) {
                    return new Fixture(id, file, LoadOptions.DEFAULTS, "no architecture: " + full.getFileName() + " did not load: " + e);
                }
            }
        }
        return new Fixture(id, file, LoadOptions.DEFAULTS, "");
    }

    private static Stream<Path> list(Path dir, String... extensions) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> Stream.of(extensions).anyMatch(e -> p.getFileName().toString().endsWith(e)))
                    .sorted().toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String stem(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot < 0 ? n : n.substring(0, dot);
    }
}
