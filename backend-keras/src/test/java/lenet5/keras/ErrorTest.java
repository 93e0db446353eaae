package lenet5.keras;

import lenet5.ArchitectureMismatchException;
import lenet5.spi.Source;
import lenet5.CorruptFileException;
import lenet5.Lenet5;
import lenet5.Lenet5Exception;
import lenet5.LoadOptions;
import lenet5.SaveOptions;
import lenet5.UnrepresentableModelException;
import lenet5.UnsupportedFormatException;
import lenet5.layers.Dropout;
import lenet5.layers.Layer;
import lenet5.layers.Padding;
import lenet5.layers.Pool2d;
import lenet5.model.Sequential;
import lenet5.testing.KerasH5;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad files give one exception from the lenet5 hierarchy that names the file, the layer and the problem. */
@Timeout(30)
class ErrorTest {
    @TempDir
    Path dir;

    private static <T extends Lenet5Exception> T fails(Class<T> type, Path file, Executable body, String... words) {
        T e = assertThrows(type, body);
        assertTrue(e.getMessage().startsWith(file.toString() + ": "), "message names the file: " + e.getMessage());
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), "message mentions '" + w + "': " + e.getMessage());
        }
        return e;
    }

    private static Sequential read(Path f) {
        return Lenet5.load(f);
    }

    @Test
    void tinyFileIsReadable() throws IOException {
        Sequential m = read(new KerasH5().write(dir.resolve("ok.h5")));
        assertEquals(5, m.layers().size()); // conv2d, conv2d/relu, flatten, dense, dense/softmax
    }

    @Test
    void anyImageSizeAsksForTheInputShapeAndTakesIt() throws IOException {
        Path f = Files.writeString(dir.resolve("any_size.json"), "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": ["
                + "{\"class_name\": \"InputLayer\", \"config\": {\"name\": \"in\", \"batch_shape\": [null, null, null, 1]}},"
                + "{\"class_name\": \"Conv2D\", \"config\": {\"name\": \"c\", \"filters\": 2, \"kernel_size\": [3, 3], \"activation\": \"relu\"}},"
                + "{\"class_name\": \"GlobalAveragePooling2D\", \"config\": {\"name\": \"g\"}},"
                + "{\"class_name\": \"Dense\", \"config\": {\"name\": \"d\", \"units\": 3}}]}}");
        fails(ArchitectureMismatchException.class, f, () -> read(f), "[null,null,null,1]", "any image size", "--input-shape CxHxW");
        Sequential m = Lenet5.load(f, LoadOptions.DEFAULTS.withInputShape(lenet5.tensor.Shape.chw(1, 12, 12)));
        assertEquals(lenet5.tensor.Shape.chw(1, 12, 12), m.inputShape());
    }

    /** Real Keras 3.11.3 files (testdata/layers/generate_keras_weights.py) with bfloat16 variables: refused by name, not as unreadable HDF5. */
    @Test
    void bfloat16WeightsAreRefusedByName() {
        for (String ext : new String[] {"keras", "h5"}) {
            Path f = lenet5.testing.TestFiles.testdata().resolve("layers/keras_weights/bf16." + ext);
            fails(UnsupportedFormatException.class, f, () -> read(f), "layer 'conv2d' (Conv2D) stores its weights as bfloat16");
        }
    }

    @Test
    void missingWeightsNameTheLayer() throws IOException {
        KerasH5 t = new KerasH5();
        t.layers.remove("dense");
        Path f = t.write(dir.resolve("missing.h5"));
        fails(ArchitectureMismatchException.class, f, () -> read(f), "layer 'dense'", "no weights");
    }

    @Test
    void wrongKernelShapeNamesLayerWeightAndShapes() throws IOException {
        KerasH5 t = new KerasH5();
        t.layers.get("conv2d").put("conv2d/kernel:0", new int[] {3, 3, 2, 2});
        Path f = t.write(dir.resolve("shape.h5"));
        fails(ArchitectureMismatchException.class, f, () -> read(f), "'conv2d'", "conv2d/kernel:0", "[3, 3, 2, 2]", "[3, 3, 1, 2]");
    }

    @Test
    void missingBiasNamesLayer() throws IOException {
        KerasH5 t = new KerasH5();
        t.layers.get("dense").remove("dense/bias:0");
        Path f = t.write(dir.resolve("bias.h5"));
        fails(ArchitectureMismatchException.class, f, () -> read(f), "'dense'", "needs 2");
    }

    @Test
    void weightsForAnUnknownLayer() throws IOException {
        KerasH5 t = new KerasH5();
        t.layers.put("extra", Map.of("extra/kernel:0", new int[] {2, 2}));
        Path f = t.write(dir.resolve("extra.h5"));
        fails(ArchitectureMismatchException.class, f, () -> read(f), "'extra'");
    }

    @Test
    void unsupportedLayerClassNamesLayer() throws IOException {
        Path f = withConfig("lstm.h5", KerasH5.CONFIG.replace("\"Flatten\"", "\"LSTM\""));
        fails(UnsupportedFormatException.class, f, () -> read(f), "layer 'flatten' (LSTM)", "unsupported layer class");
    }

    @Test
    void unsupportedActivationAndDilation() throws IOException {
        Path f = withConfig("mish.h5", KerasH5.CONFIG.replace("\"relu\"", "\"mish\""));
        fails(UnsupportedFormatException.class, f, () -> read(f), "layer 'conv2d'", "activation 'mish'");
        Path g = withConfig("dilated.h5", KerasH5.CONFIG.replace("\"dilation_rate\": [1, 1]", "\"dilation_rate\": [2, 2]"));
        fails(UnsupportedFormatException.class, g, () -> read(g), "layer 'conv2d'", "dilated");
    }

    @Test
    void configThatIsNotJson() throws IOException {
        Path f = withConfig("json.h5", "{\"class_name\": \"Sequential\", \"config\": [");
        fails(CorruptFileException.class, f, () -> read(f), "model_config", "not valid JSON");
    }

    private Path withConfig(String name, String config) throws IOException {
        KerasH5 t = new KerasH5();
        t.config = config;
        return t.write(dir.resolve(name));
    }

    @Test
    void deeplyNestedJsonIsRefusedBeforeItIsBuilt() throws IOException {
        Path f = dir.resolve("deep.json");
        Files.writeString(f, "{\"class_name\": \"Sequential\", \"config\": " + "[".repeat(5000) + "]".repeat(5000) + "}");
        fails(CorruptFileException.class, f, () -> read(f), "nesting depth");
    }

    @Test
    void branchingFunctionalModelIsRefused() throws IOException {
        Path f = dir.resolve("branch.json");
        Files.writeString(f, """
                {"class_name": "Functional", "config": {"name": "m", "layers": [
                  {"class_name": "InputLayer", "name": "in", "config": {"batch_input_shape": [null, 4], "name": "in"}, "inbound_nodes": []},
                  {"class_name": "Dense", "name": "a", "config": {"name": "a", "units": 2}, "inbound_nodes": [[["in", 0, 0, {}]]]},
                  {"class_name": "Dense", "name": "b", "config": {"name": "b", "units": 2}, "inbound_nodes": [[["in", 0, 0, {}]]]}],
                  "input_layers": [["in", 0, 0]], "output_layers": [["a", 0, 0], ["b", 0, 0]]}}
                """);
        fails(UnsupportedFormatException.class, f, () -> read(f), "not a simple chain", "'b'");
    }

    @Test
    void truncatedHdf5IsCorrupt() throws IOException {
        byte[] full = Files.readAllBytes(Fixtures.keras3("lenet5_seeded_k3.h5"));
        for (int len : new int[] {8, 100, 2000, 40_000, full.length / 2}) {
            Path f = dir.resolve("truncated" + len + ".h5");
            Files.write(f, Arrays.copyOf(full, len));
            assertThrows(Lenet5Exception.class, () -> read(f), "truncated to " + len);
        }
    }

    @Test
    void garbageAfterTheSignatureIsCorrupt() throws IOException {
        byte[] b = new byte[4096];
        new java.util.Random(1).nextBytes(b);
        System.arraycopy(new byte[] {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'}, 0, b, 0, 8);
        Path f = dir.resolve("garbage.h5");
        Files.write(f, b);
        fails(CorruptFileException.class, f, () -> read(f));
    }

    @Test
    void weightsOnlyFilesNeedAnArchitecture() {
        Path legacy = Fixtures.dl4j("examples_mnist_mlp_mnist_mlp_tf_keras_2_weights.h5");
        fails(ArchitectureMismatchException.class, legacy, () -> read(legacy), "no architecture");
        Path k3 = Fixtures.keras3("lenet5_seeded_k3.weights.h5");
        fails(ArchitectureMismatchException.class, k3, () -> read(k3), "no architecture");
    }

    @Test
    void weightsOnlyWithTheWrongArchitecture() {
        Path legacy = Fixtures.dl4j("examples_mnist_mlp_mnist_mlp_tf_keras_2_weights.h5");
        fails(ArchitectureMismatchException.class, legacy,
                () -> Lenet5.load(legacy, LoadOptions.DEFAULTS.withArchitecture(Fixtures.seededLenet())), "5 layers with weights", "3 layers");
        // Keras 3 weights sit at class-and-counter paths; a model with a BatchNormalization looks for one the file has not.
        Path k3 = Fixtures.keras3("lenet5_seeded_k3.weights.h5");
        fails(ArchitectureMismatchException.class, k3,
                () -> Lenet5.load(k3, LoadOptions.DEFAULTS.withArchitecture(Built.everyWriterPath())), "layers/batch_normalization");
    }

    @Test
    void kerasZipWithoutWeights() throws IOException {
        Path f = zip("noweights.keras", Map.of("config.json", Files.readAllBytes(Resources.path("mnist_mlp_keras2.json"))));
        fails(CorruptFileException.class, f, () -> read(f), "model.weights.h5");
    }

    @Test
    void kerasZipEntryOverTheLimitIsNotInflated() throws IOException {
        byte[] huge = new byte[Limits.MAX_JSON_BYTES + 1];
        Arrays.fill(huge, (byte) ' ');
        Path f = zip("bomb.keras", Map.of("config.json", huge, "model.weights.h5", new byte[10]));
        assertTrue(Files.size(f) < 100_000, "the zip itself is small");
        fails(CorruptFileException.class, f, () -> read(f), "config.json", "over the limit");
    }

    @Test
    void kerasZipWithBrokenWeights() throws IOException {
        byte[] config = Files.readAllBytes(Resources.path("mnist_mlp_keras2.json"));
        Path f = zip("broken.keras", Map.of("config.json", config, "model.weights.h5", "not hdf5".getBytes(StandardCharsets.US_ASCII)));
        fails(CorruptFileException.class, f, () -> read(f));
    }

    @Test
    void inputShapeWhenTheConfigHasNone() throws IOException {
        Path f = dir.resolve("noinput.json");
        Files.writeString(f, """
                {"class_name": "Sequential", "config": [{"class_name": "Dense", "config": {"name": "d", "units": 3}}]}
                """);
        fails(ArchitectureMismatchException.class, f, () -> read(f), "input shape");
        Sequential m = Lenet5.load(f, LoadOptions.DEFAULTS.withInputShape(lenet5.tensor.Shape.flat(5)));
        assertEquals(lenet5.tensor.Shape.flat(3), m.outputShape());
    }

    @Test
    void writerRefusesWhatKerasCannotExpress() {
        Sequential base = Built.everyWriterPath();
        List<Layer> ls = new ArrayList<>(base.layers());
        // Max pooling with padding other than 'same' would need -inf padding, which Keras has not.
        ls.set(2, new Pool2d("p1", Pool2d.Kind.MAX, 3, 3, 2, 2, Padding.symmetric(1, 1), true, false));
        Path target = dir.resolve("x.h5");
        fails(UnrepresentableModelException.class, target, () -> Lenet5.save(base.withLayers(ls), target), "layer 'p1'", "max pooling");
        // PyTorch's ceil_mode: 5x5 pooled 2x2 by 2 gives 3x3; Keras can only round down to 2x2.
        Sequential ceil = new Sequential(lenet5.tensor.Shape.chw(1, 5, 5), List.of(
                new Pool2d("pool", Pool2d.Kind.MAX, 2, 2, 2, 2, Padding.NONE, true, true),
                new lenet5.layers.Flatten("flatten"), lenet5.layers.Dense.of("dense", 9, 2, true)), null);
        fails(UnrepresentableModelException.class, target, () -> Lenet5.save(ceil, target), "layer 'pool'", "ceil_mode");
        assertTrue(Files.notExists(target));
    }

    @Test
    void configTooLargeForAnH5AttributeGoesToKeras() throws IOException {
        Sequential seeded = Fixtures.seededLenet();
        List<Layer> ls = new ArrayList<>(seeded.layers());
        for (int i = 0; i < 400; i++) {
            ls.add(ls.size() - 1, new Dropout("dropout_" + i, 0.1));
        }
        Sequential big = seeded.withLayers(ls);
        Path h5 = dir.resolve("big.h5");
        Files.writeString(h5, "old content");
        fails(UnrepresentableModelException.class, h5, () -> Lenet5.save(big, h5), "model config", ".keras");
        assertEquals("old content", Files.readString(h5), "a failed save leaves the target untouched");
        RoundTripTest.roundTrip(big, dir.resolve("big.keras"));
        try (var files = Files.list(dir)) {
            assertEquals(List.of("big.h5", "big.keras"), files.map(p -> p.getFileName().toString()).sorted().toList(), "no temporary files left");
        }
    }

    @Test
    void userBlockBeforeTheSuperblock() throws IOException {
        byte[] h5 = Files.readAllBytes(Fixtures.keras3("lenet5_seeded_k3.h5"));
        assertEquals(0, h5[8], "superblock version 0");
        byte[] withBlock = new byte[512 + h5.length];
        System.arraycopy(h5, 0, withBlock, 512, h5.length);
        // Superblock v0 keeps the base address (8 bytes, little-endian) at offset 24; other addresses are relative to it.
        withBlock[512 + 24] = 0;
        withBlock[512 + 25] = 2;
        Path f = dir.resolve("userblock.h5");
        Files.write(f, withBlock);
        assertTrue(new KerasFormat().canRead(Source.of(f)));
        assertArrayEquals(Fixtures.seededLenet().weights().get(0).data(), read(f).weights().get(0).data());
    }

    private Path zip(String name, Map<String, byte[]> entries) throws IOException {
        Path f = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(f); ZipOutputStream z = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return f;
    }

    @Test
    void saveKeepsOptionsFormat() {
        // Lenet5.save picks this backend for .h5 and .keras, and SaveOptions.format overrides the extension.
        Path target = dir.resolve("model.bin");
        Lenet5.save(Fixtures.seededLenet(), target, new SaveOptions("keras", null));
        assertEquals(lenet5.keras.read.KerasLoader.KERAS_ZIP, read(target).info().format());
    }
}
