package lenet5.keras;

import io.jhdf.HdfFile;
import lenet5.UnsupportedFormatException;
import lenet5.spi.Source;
import lenet5.io.RawFloats;
import lenet5.keras.read.KerasLoader;
import lenet5.layers.Conv2d;
import lenet5.layers.Dense;
import lenet5.layout.Layout;
import lenet5.layout.WeightLayouts;
import lenet5.model.Predictor;
import lenet5.model.Sequential;
import lenet5.tensor.Shape;
import lenet5.testing.TestFiles;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static lenet5.keras.Fixtures.N;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One test per file in ../shared/fixtures: every Keras file is read and checked against what
 * Keras itself computed (recorded outputs and per-layer activations), or, for weights-only files
 * without recorded outputs, against the raw stored datasets. A fixture without a check fails, so
 * new fixtures cannot go unchecked.
 */
class FixtureTest {
    /**
     * Probabilities and tanh activations lie in [-1, 1]; a float32 engine that sums in a different
     * order than Keras's torch backend differs by a few ulps per operation, and Keras's own
     * float64 re-computation agreed with its float32 output to 2.2e-8. 1e-6 is about 8 ulps at 1.0.
     */
    static final double TOL = 1e-6;
    /**
     * For unbounded outputs (linear activations, ReLU heads, pre-softmax layers) the same relative
     * error is larger in absolute terms: 1e-6 per unit of the largest magnitude seen.
     */
    static double tolFor(float[] expected) {
        return TOL * magnitude(expected);
    }

    /** The largest absolute value, at least 1. */
    static double magnitude(float[] values) {
        double max = 1;
        for (float v : values) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }

    /**
     * The MLP's probabilities come from 784- and 512-term dot products that Keras 2.0.6 (TensorFlow
     * 1.x, 2017) summed in another order; its hidden units reach about 10 and differ from ours by up
     * to 1.4e-6 (1.5e-7 relative), which the logits carry into the probabilities: 2e-6.
     */
    static final double MLP_TOL = 2e-6;

    /**
     * MLpaper's LeNet-5 has no activation before its softmax, so its logits reach 14.9, and Keras's
     * own float32 probabilities are 9.0e-7 from a float64 forward pass of the file's weights (numpy),
     * ours 4.8e-7 (plain Java) and 5.6e-7 (Vector API): the two float32 errors add up to 1.25e-6.
     */
    static final double LINEAR_LOGITS_TOL = 2e-6;
    private static final String LINEAR_LOGITS = "MLpaper_LeNet5_LeNet5";

    private static final List<String> SEEDED_LAYERS = List.of("conv2d", "average_pooling2d", "conv2d_1",
            "average_pooling2d_1", "conv2d_2", "flatten", "dense", "dense_1");

    @TestFactory
    Stream<DynamicTest> everyFixture() throws IOException {
        Path root = Fixtures.root();
        try (Stream<Path> walk = Files.walk(root)) {
            List<Path> files = walk.filter(Files::isRegularFile)
                    .filter(p -> !p.toString().endsWith(".f32") && !p.toString().endsWith(".md"))
                    .sorted().toList();
            assertTrue(files.size() >= 20, "expected the fixture set described in the README, found " + files);
            return files.stream().map(f -> DynamicTest.dynamicTest(root.relativize(f).toString(), () -> check(root.relativize(f).toString(), f)));
        }
    }

    private static void check(String rel, Path f) {
        String name = f.getFileName().toString();
        if (rel.startsWith("keras3/")) {
            Sequential m = name.endsWith(".weights.h5") ? Fixtures.load(f, Fixtures.seededLenet()) : Fixtures.load(f);
            seeded(m);
        } else if (name.endsWith(".pth")) {
            assertFalse(new KerasFormat().canRead(Source.of(f)), "a PyTorch file is not Keras's");
        } else if (rel.startsWith("third-party/dl4j/")) {
            dl4j(name, f);
        } else if (rel.startsWith("third-party/") && (name.endsWith(".h5") || name.endsWith(".keras"))) {
            thirdParty(f);
        } else {
            fail("no check for fixture " + rel + "; add one");
        }
    }

    /** The tutorial LeNet-5: outputs and every layer's activations as Keras 3.11.3 recorded them. */
    private static void seeded(Sequential m) {
        assertEquals(61_706, m.parameterCount());
        float[] in = RawFloats.read(Fixtures.keras3("inputs_64x28x28x1.f32"));
        float[] expected = RawFloats.read(Fixtures.keras3("lenet5_seeded_outputs_64x10.f32"));
        TestFiles.assertClose(expected, Fixtures.predict(m, in), N, TOL, m.info().format() + " outputs");
        List<float[]> acts;
        try (Predictor p = m.newPredictor(Layout.NHWC)) {
            acts = p.activations(in, N);
        }
        for (String layer : SEEDED_LAYERS) {
            int i = Fixtures.canonicalIndexOf(m, layer);
            float[] ours = WeightLayouts.nchwToNhwc(acts.get(i), N, m.outputShapes().get(i));
            float[] keras = RawFloats.read(Fixtures.keras3("lenet5_seeded_act/" + layer + ".f32"));
            TestFiles.assertClose(keras, ours, N, TOL, "  activation " + layer);
        }
    }

    /** LeNet-like models from public repositories: Keras 3.11.3's predictions on fixed inputs. */
    private static void thirdParty(Path f) {
        Sequential m = Fixtures.load(f);
        String stem = f.getFileName().toString().replaceFirst("\\.(h5|keras)$", "");
        Path outputs = Fixtures.root().resolve("third-party/keras3-outputs/" + stem + "_outputs_" + N + "x"
                + m.outputShape().size() + ".f32");
        float[] expected = RawFloats.read(outputs);
        double tol = stem.equals(LINEAR_LOGITS) ? LINEAR_LOGITS_TOL : tolFor(expected);
        TestFiles.assertClose(expected, Fixtures.predict(m, Fixtures.inputsFor(m)), N, tol,
                stem + " (" + m.info().format() + ", " + m.info().frameworkVersion() + ")");
    }

    private static void dl4j(String name, Path f) {
        switch (name) {
            case "examples_mnist_mlp_mnist_mlp_tf_keras_2_inputs_and_outputs.h5" ->
                    // Recorded data for the MLP below, not a model: refused with a clear message.
                    assertThrows(UnsupportedFormatException.class, () -> Fixtures.load(f));
            case "examples_mnist_mlp_mnist_mlp_tf_keras_2_weights.h5" -> mlp(f);
            case "examples_mnist_cnn_mnist_cnn_tf_keras_1_weights.h5" -> mnistCnn(f, false);
            case "examples_mnist_cnn_mnist_cnn_th_keras_1_weights.h5" -> mnistCnn(f, true);
            case "weights_conv2d_tensorflow_1.h5" -> conv(f, "model_weights/convolution2d_1/convolution2d_1_W:0", false);
            case "weights_conv2d_tensorflow_2.h5" -> conv(f, "model_weights/conv2d_1/conv2d_1/kernel:0", false);
            // Theano backend: the kernels were run as true convolutions, so they come out rotated.
            case "weights_conv2d_theano_1.h5" -> conv(f, "model_weights/convolution2d_1/convolution2d_1_W", true);
            case "weights_conv2d_theano_2.h5" -> conv(f, "model_weights/conv2d_1/conv2d_1/kernel", true);
            case "weights_dense_tensorflow_1.h5" -> dense(f, "model_weights/dense_1/dense_1_W:0");
            case "weights_dense_tensorflow_2.h5" -> dense(f, "model_weights/dense_1/dense_1/kernel:0");
            case "fullconfigs_cnn_cnn_batch_norm.h5" -> batchNorm(f);
            default -> fail("no check for DL4J fixture " + name);
        }
    }

    /** Keras 2.0.6 save_weights of an MLP, bound to its architecture; Keras recorded 100 inputs, activations, predictions. */
    private static void mlp(Path f) {
        Sequential m = Fixtures.load(f, Resources.architecture("mnist_mlp_keras2.json"));
        assertEquals(KerasLoader.WEIGHTS_H5, m.info().format());
        Path io = Fixtures.dl4j("examples_mnist_mlp_mnist_mlp_tf_keras_2_inputs_and_outputs.h5");
        float[] in = RawWeights.read(io, "inputs/dense_1_input").values();
        int n = 100;
        TestFiles.assertClose(RawWeights.read(io, "predictions/dense_3").values(), Fixtures.predict(m, in), n, MLP_TOL, "MLP predictions");
        List<float[]> acts;
        try (Predictor p = m.newPredictor(m.nativeLayout())) {
            acts = p.activations(in, n);
        }
        for (String layer : List.of("dense_1", "dropout_1", "dense_2", "dropout_2", "dense_3")) {
            float[] keras = RawWeights.read(io, "activations/" + layer).values();
            TestFiles.assertClose(keras, acts.get(Fixtures.canonicalIndexOf(m, layer)), n, Math.max(MLP_TOL, tolFor(keras)),
                    "  activation " + layer);
        }
    }

    /** Keras 1 save_weights of the mnist_cnn example; no recorded outputs, so each weight is checked against the raw dataset. */
    private static void mnistCnn(Path f, boolean theano) {
        Sequential m = Fixtures.load(f, Resources.architecture(theano ? "mnist_cnn_th_keras1.json" : "mnist_cnn_tf_keras1.json"));
        assertEquals(theano ? Layout.NCHW : Layout.NHWC, m.nativeLayout());
        Conv2d c1 = Fixtures.layer(m, "convolution2d_1");
        Conv2d c2 = Fixtures.layer(m, "convolution2d_2");
        String suffix = theano ? "" : ":0";
        RawWeights.assertConv(c1, RawWeights.read(f, "convolution2d_1/convolution2d_1_W" + suffix), theano, theano);
        RawWeights.assertConv(c2, RawWeights.read(f, "convolution2d_2/convolution2d_2_W" + suffix), theano, theano);
        RawWeights.assertVector(c2.bias().data(), RawWeights.read(f, "convolution2d_2/convolution2d_2_b" + suffix), "bias");
        Dense d1 = Fixtures.layer(m, "dense_1");
        // Theano-ordered models flatten (C,H,W), which is already the canonical order.
        RawWeights.assertDense(d1, RawWeights.read(f, "dense_1/dense_1_W" + suffix), theano ? null : Shape.chw(32, 12, 12));
        Dense d2 = Fixtures.layer(m, "dense_2");
        RawWeights.assertDense(d2, RawWeights.read(f, "dense_2/dense_2_W" + suffix), null);
        RawWeights.assertVector(d2.bias().data(), RawWeights.read(f, "dense_2/dense_2_b" + suffix), "bias");
    }

    private static void conv(Path f, String kernel, boolean theano) {
        Sequential m = Fixtures.load(f);
        assertEquals(KerasLoader.LEGACY_H5, m.info().format());
        RawWeights.assertConv((Conv2d) m.layers().get(0), RawWeights.read(f, kernel), false, theano);
        assertEquals(theano ? "(kh,kw,in,out) theano" : "(kh,kw,in,out)", m.info().storedWeights().get(0).layout().describe());
    }

    private static void dense(Path f, String kernel) {
        Sequential m = Fixtures.load(f);
        assertEquals(Shape.flat(4), m.inputShape());
        RawWeights.assertDense((Dense) m.layers().get(0), RawWeights.read(f, kernel), null);
    }

    /** Conv2D, BatchNormalization, Activation, Conv2D, Flatten (of a 6x6 map), Dense: checked against the raw datasets. */
    private static void batchNorm(Path f) {
        Sequential m = Fixtures.load(f);
        assertEquals(Shape.chw(3, 10, 10), m.inputShape());
        RawWeights.assertConv((Conv2d) m.layers().get(0), RawWeights.read(f, "model_weights/conv2d_1/conv2d_1/kernel:0"), false, false);
        lenet5.layers.BatchNorm bn = (lenet5.layers.BatchNorm) m.layers().get(1);
        String p = "model_weights/batch_normalization_1/batch_normalization_1/";
        RawWeights.assertVector(bn.gamma().data(), RawWeights.read(f, p + "gamma:0"), "gamma");
        RawWeights.assertVector(bn.variance().data(), RawWeights.read(f, p + "moving_variance:0"), "moving_variance");
        assertEquals(1e-3, bn.epsilon());
        Dense d = Fixtures.layer(m, "dense_1");
        RawWeights.assertDense(d, RawWeights.read(f, "model_weights/dense_1/dense_1/kernel:0"), Shape.chw(1, 6, 6));
    }
}
