package lenet5.keras;

import lenet5.LoadOptions;
import lenet5.spi.Source;
import lenet5.SaveOptions;
import lenet5.io.RawFloats;
import lenet5.layers.Conv2d;
import lenet5.layers.Layer;
import lenet5.layout.Layout;
import lenet5.layout.WeightLayouts;
import lenet5.model.ModelInfo;
import lenet5.model.Predictor;
import lenet5.model.Sequential;
import lenet5.tensor.Shape;
import lenet5.testing.TestFiles;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Deeplearning4j as a second, independent Keras importer: Keras 1/2 files it imports must give
 * the same numbers from DL4J and from this engine, and every .h5 this backend writes must import
 * into DL4J and reproduce the source framework's numbers.
 *
 * <p>Tolerance: DL4J computes in float32 with its own summation order (im2col + BLAS). Each
 * engine is within about 1e-6 of Keras on probabilities (FixtureTest), so two of them can be up to
 * twice that apart: 2e-6 per unit of the largest output magnitude ({@link #DL4J_TOL}).
 */
@Tag("dl4j")
class Dl4jTest {
    private static final int N = 16;
    static final double DL4J_TOL = 2e-6;

    @TempDir
    Path dir;

    /** Every Keras 1/2 full-model file here (Keras 3 files DL4J refuses by version). */
    static List<String> kerasFiles() {
        Fixtures.root();
        return List.of("third-party/Rye-Catcher_LeNet-5__Keras_MNIST_lenet.h5", "third-party/yang-ze-kang_LeNet5_lenet.h5",
                "third-party/MLpaper_LeNet5_LeNet5.h5", "third-party/4daJKong_Keras_LeNet-5_model_lenet-5.h5",
                "third-party/dl4j/weights_conv2d_tensorflow_1.h5", "third-party/dl4j/weights_conv2d_tensorflow_2.h5",
                "third-party/dl4j/weights_dense_tensorflow_1.h5", "third-party/dl4j/weights_dense_tensorflow_2.h5",
                "third-party/dl4j/fullconfigs_cnn_cnn_batch_norm.h5");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kerasFiles")
    void kerasFileGivesDl4jsNumbers(String rel) throws Exception {
        Path f = Fixtures.root().resolve(rel);
        Sequential ours = Fixtures.load(f);
        float[] in = inputs(ours);
        assertSame(Dl4j.output(Dl4j.importModel(f), in, ours.inputShape(), ours.nativeLayout()), ours, in, rel + " DL4J vs engine");
    }

    /**
     * Theano-backend files. Theano convolves (Keras 2 and tf.keras flip such kernels on load), so this
     * engine rotates them; DL4J rotates only Theano-ordered (dim_ordering 'th') kernels, not these
     * channels_last ones. So DL4J must equal this engine with the rotation undone, and differ from it as read.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"weights_conv2d_theano_1.h5", "weights_conv2d_theano_2.h5"})
    void theanoKernelsAreRotatedWhereDl4jDoesNot(String name) throws Exception {
        Path f = Fixtures.dl4j(name);
        Sequential ours = Fixtures.load(f);
        float[] in = inputs(ours);
        float[] dl4j = Dl4j.output(Dl4j.importModel(f), in, ours.inputShape(), ours.nativeLayout());
        List<Layer> unrotated = new ArrayList<>();
        for (Layer l : ours.layers()) {
            unrotated.add(l instanceof Conv2d c ? c.withWeights(List.of(WeightLayouts.flip180(c.weight()), c.bias())) : l);
        }
        assertSame(dl4j, ours.withLayers(unrotated), in, name + " DL4J vs engine without the Theano rotation");
        assertFalse(lenet5.compare.Diff.of(dl4j, nhwc(ours, Fixtures.predict(ours, in)), N).within(1e-3), "the rotation changed nothing");
    }

    /**
     * The weights-only MLP with its architecture as JSON: DL4J binds weights by name, this engine by
     * order. (DL4J 1.0.0-M2.1 cannot run the Keras 1 mnist_cnn weights with their Keras 1 configs: the
     * 'tf' one fails in its Flatten preprocessor, the 'th' one in reading Theano-named weights; those
     * two are checked against the raw datasets in FixtureTest and, written as .h5, in DL4J below.)
     */
    @Test
    void weightsOnlyMlpGivesDl4jsAndKerassNumbers() throws Exception {
        Path weights = Fixtures.dl4j("examples_mnist_mlp_mnist_mlp_tf_keras_2_weights.h5");
        Sequential ours = Fixtures.load(weights, Resources.architecture("mnist_mlp_keras2.json"));
        MultiLayerNetwork net = Dl4j.importModel(Resources.path("mnist_mlp_keras2.json"), weights);
        float[] in = inputs(ours);
        assertSame(Dl4j.output(net, in, ours.inputShape(), ours.nativeLayout()), ours, in, "MLP: DL4J vs engine");
        Path io = Fixtures.dl4j("examples_mnist_mlp_mnist_mlp_tf_keras_2_inputs_and_outputs.h5");
        float[] keras = RawWeights.read(io, "predictions/dense_3").values();
        TestFiles.assertClose(keras, Dl4j.output(net, RawWeights.read(io, "inputs/dense_1_input").values(), ours.inputShape(),
                Layout.NHWC), 100, DL4J_TOL, "MLP: DL4J vs Keras");
    }

    /** Every model the fixtures hold, written as .h5 by this backend, imported by DL4J. */
    static List<Models.Source> sources() {
        Fixtures.root();
        return Models.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sources")
    void writtenH5ImportsIntoDl4j(Models.Source source) throws Exception {
        Sequential m = source.model().get();
        Path h5 = dir.resolve("written.h5");
        new KerasFormat().write(m, h5, SaveOptions.DEFAULTS);
        MultiLayerNetwork net = Dl4j.importModel(h5);
        float[] expected = recordedOutputs(source.name(), m);
        if (expected != null) {
            // Against what the source framework (Keras) computed on its own file.
            float[] in = recordedInputs(source.name(), m);
            int n = expected.length / m.outputShape().size();
            TestFiles.assertClose(expected, Dl4j.output(net, in, m.inputShape(), Layout.NHWC), n,
                    DL4J_TOL * FixtureTest.magnitude(expected), source + " written .h5 in DL4J vs Keras");
        } else {
            // No recorded outputs: against this engine on the source file (DL4J itself on the source is checked above).
            float[] in = inputs(m);
            assertSame(Dl4j.output(net, in, m.inputShape(), Layout.NHWC), m.withInfo(nhwcInfo(m)), in,
                    source + " written .h5 in DL4J vs engine on the source");
        }
    }

    /** A model built here, using what the writer must translate: asymmetric padding, padded pooling, BatchNorm, fused and separate activations. */
    @Test
    void builtModelWrittenAsH5ImportsIntoDl4j() throws Exception {
        Sequential m = Built.everyWriterPath();
        Path h5 = dir.resolve("built.h5");
        new KerasFormat().write(m, h5, SaveOptions.DEFAULTS);
        float[] in = inputs(m);
        try (Predictor p = m.newPredictor(Layout.NHWC)) {
            float[] expected = p.batchPredict(in);
            TestFiles.assertClose(expected, Dl4j.output(Dl4j.importModel(h5), in, m.inputShape(), Layout.NHWC), N,
                    DL4J_TOL * FixtureTest.magnitude(expected), "built model: DL4J on the written .h5 vs engine");
        }
        // And this backend reads its own file back to the same model.
        RoundTripTest.roundTrip(new KerasFormat().read(Source.of(h5), LoadOptions.DEFAULTS), dir.resolve("again.h5"));
    }

    private static float[] recordedOutputs(String source, Sequential m) {
        if (source.startsWith("keras3/")) {
            return RawFloats.read(Fixtures.keras3("lenet5_seeded_outputs_64x10.f32"));
        }
        if (source.startsWith("third-party/")) {
            String stem = source.substring("third-party/".length()).replaceFirst("\\.(h5|keras)$", "");
            return RawFloats.read(Fixtures.root().resolve("third-party/keras3-outputs/" + stem + "_outputs_" + Fixtures.N
                    + "x" + m.outputShape().size() + ".f32"));
        }
        if (source.contains("mnist_mlp")) {
            return RawWeights.read(Fixtures.dl4j("examples_mnist_mlp_mnist_mlp_tf_keras_2_inputs_and_outputs.h5"),
                    "predictions/dense_3").values();
        }
        return null;
    }

    private static float[] recordedInputs(String source, Sequential m) {
        if (source.startsWith("keras3/")) {
            return RawFloats.read(Fixtures.keras3("inputs_64x28x28x1.f32"));
        }
        if (source.contains("mnist_mlp")) {
            return RawWeights.read(Fixtures.dl4j("examples_mnist_mlp_mnist_mlp_tf_keras_2_inputs_and_outputs.h5"),
                    "inputs/dense_1_input").values();
        }
        return Fixtures.inputsFor(m);
    }

    /** DL4J's output against this engine's for the same images (in the model's native layout), compared in DL4J's layout. */
    private static void assertSame(float[] dl4j, Sequential ours, float[] in, String what) {
        float[] expected = nhwc(ours, Fixtures.predict(ours, in));
        TestFiles.assertClose(expected, dl4j, N, DL4J_TOL * FixtureTest.magnitude(expected), what);
    }

    /** DL4J returns feature-map outputs in the model's layout; the engine's are NCHW. */
    private static float[] nhwc(Sequential m, float[] out) {
        Shape s = m.outputShape();
        return s.flat() || m.nativeLayout() == Layout.NCHW ? out : WeightLayouts.nchwToNhwc(out, out.length / s.size(), s);
    }

    private static ModelInfo nhwcInfo(Sequential m) {
        return new ModelInfo(m.info().format(), m.info().frameworkVersion(), Layout.NHWC, m.info().storedWeights());
    }

    private static float[] inputs(Sequential m) {
        return RoundTripTest.random(N * m.inputShape().size());
    }
}
