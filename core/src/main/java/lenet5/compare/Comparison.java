package lenet5.compare;

import lenet5.layers.Dropout;
import lenet5.layers.Flatten;
import lenet5.layers.Layer;
import lenet5.layout.Layout;
import lenet5.layout.WeightLayouts;
import lenet5.model.Predictor;
import lenet5.model.Sequential;
import lenet5.tensor.Shape;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The tutorial's proof of a weight copy, as an API: feed the same random inputs to two models,
 * each in its own native layout, and measure how far their outputs (and, for models of the same
 * architecture, every layer's activations) are apart.
 *
 * @param output the final outputs compared
 * @param layers per-layer figures, empty when the two architectures do not line up
 * @param samples how many random inputs were used
 * @param seed    the seed they were drawn with
 */
public record Comparison(Diff output, List<LayerDiff> layers, int samples, long seed) {

    /** One aligned pair of layers and how far their outputs are apart. */
    public record LayerDiff(int indexA, String nameA, int indexB, String nameB, String description, Diff diff) {
    }

    /** The default tolerance: float32 engines agree on probabilities to about 1e-6; 1e-5 leaves room for logits of larger magnitude. */
    public static final double DEFAULT_TOLERANCE = 1e-5;

    /**
     * Runs {@code samples} inputs drawn uniformly from [0,1) with {@code seed} through both models.
     * The inputs are drawn once in NCHW order and handed to each model in its native layout, so a
     * Keras model really receives NHWC data.
     */
    public static Comparison run(Sequential a, Sequential b, int samples, long seed) {
        Shape in = a.inputShape();
        if (!in.equals(b.inputShape())) {
            throw new IllegalArgumentException("the models take different inputs: " + in + " and " + b.inputShape());
        }
        if (samples <= 0) {
            throw new IllegalArgumentException("samples must be positive");
        }
        float[] nchw = new float[Math.multiplyExact(samples, in.size())];
        Random r = new Random(seed);
        for (int i = 0; i < nchw.length; i++) {
            nchw[i] = r.nextFloat();
        }
        float[] outA = runNative(a, nchw, samples);
        float[] outB = runNative(b, nchw, samples);
        if (outA.length != outB.length) {
            throw new IllegalArgumentException("the models give different outputs: " + a.outputShape() + " and " + b.outputShape());
        }
        return new Comparison(Diff.of(outA, outB, samples), layerDiffs(a, b, nchw, samples), samples, seed);
    }

    private static float[] runNative(Sequential m, float[] nchw, int n) {
        float[] input = m.nativeLayout() == Layout.NHWC ? WeightLayouts.nchwToNhwc(nchw, n, m.inputShape()) : nchw;
        try (Predictor p = m.newPredictor(m.nativeLayout())) {
            return p.batchPredict(input);
        }
    }

    /**
     * Aligns the layers that compute something (Flatten and Dropout change nothing in NCHW) by
     * kind and output shape; gives up (empty list) when the sequences differ.
     */
    private static List<LayerDiff> layerDiffs(Sequential a, Sequential b, float[] nchw, int n) {
        List<Integer> ia = computing(a), ib = computing(b);
        if (ia.size() != ib.size()) {
            return List.of();
        }
        for (int k = 0; k < ia.size(); k++) {
            Layer la = a.layers().get(ia.get(k)), lb = b.layers().get(ib.get(k));
            if (la.getClass() != lb.getClass() || !a.outputShapes().get(ia.get(k)).equals(b.outputShapes().get(ib.get(k)))) {
                return List.of();
            }
        }
        List<float[]> actA, actB;
        try (Predictor pa = a.newPredictor(Layout.NCHW); Predictor pb = b.newPredictor(Layout.NCHW)) {
            actA = pa.activations(nchw, n);
            actB = pb.activations(nchw, n);
        }
        List<LayerDiff> out = new ArrayList<>();
        for (int k = 0; k < ia.size(); k++) {
            int x = ia.get(k), y = ib.get(k);
            out.add(new LayerDiff(x, a.layers().get(x).name(), y, b.layers().get(y).name(),
                    a.layers().get(x).describe(), Diff.of(actA.get(x), actB.get(y), n)));
        }
        return out;
    }

    private static List<Integer> computing(Sequential m) {
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < m.layers().size(); i++) {
            Layer l = m.layers().get(i);
            if (!(l instanceof Flatten) && !(l instanceof Dropout)) {
                idx.add(i);
            }
        }
        return idx;
    }

    /** True when the outputs agree within {@code tolerance}. */
    public boolean within(double tolerance) {
        return output.within(tolerance);
    }
}
