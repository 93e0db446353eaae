package lenet5.model;

import lenet5.ArchitectureMismatchException;
import lenet5.kernels.Plan;
import lenet5.layers.Activation;
import lenet5.layers.BatchNorm;
import lenet5.layers.Dense;
import lenet5.layers.Dropout;
import lenet5.layers.Flatten;
import lenet5.layers.Layer;
import lenet5.layers.Rescaling;
import lenet5.layout.Layout;
import lenet5.tensor.Shape;
import lenet5.tensor.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A chain of layers with a fixed input shape, in the canonical convention (see {@link Layer}).
 * Immutable and therefore safe to share between threads; each thread runs it through its own
 * {@link Predictor}.
 */
public final class Sequential {
    private final Shape inputShape;
    private final List<Layer> layers;
    private final List<Shape> outputShapes;
    private final ModelInfo info;
    /** Compiled lazily, one per {@link KernelChoice}: most models loaded to be converted or inspected never run. */
    private final Plan[] plans = new Plan[KernelChoice.values().length];

    /** Checks that every layer fits the shape the previous one produces. */
    public Sequential(Shape inputShape, List<Layer> layers, ModelInfo info) {
        if (layers.isEmpty()) {
            throw new ArchitectureMismatchException("a model needs at least one layer");
        }
        if (layers.size() > lenet5.Budget.MAX_LAYERS) {
            lenet5.Budget.add(0, layers.size(), lenet5.Budget.MAX_LAYERS, "layers");
        }
        this.inputShape = inputShape;
        this.layers = List.copyOf(layers);
        this.info = info == null ? ModelInfo.UNKNOWN : info;
        List<Shape> shapes = new ArrayList<>(layers.size());
        Shape s = inputShape;
        for (Layer layer : this.layers) {
            s = layer.outputShape(s);
            shapes.add(s);
        }
        this.outputShapes = Collections.unmodifiableList(shapes);
        lenet5.Budget.check(inputShape, this.layers, outputShapes);
    }

    public Shape inputShape() {
        return inputShape;
    }

    public List<Layer> layers() {
        return layers;
    }

    public ModelInfo info() {
        return info;
    }

    /**
     * The input layout the source framework fed this model (NCHW for PyTorch, NHWC for Keras): a
     * fact about the file, for callers that hold that framework's data. Predictors never assume
     * it; see {@link #newPredictor(Layout)}.
     */
    public Layout nativeLayout() {
        return info.nativeLayout();
    }

    /** The compiled plan for {@code choice}, made on first use and shared by every predictor of this model. */
    Plan plan(KernelChoice choice) {
        synchronized (plans) {
            Plan p = plans[choice.ordinal()];
            if (p == null) {
                plans[choice.ordinal()] = p = Plan.compile(this, choice);
            }
            return p;
        }
    }

    /** The shape after the last layer. */
    public Shape outputShape() {
        return outputShapes.get(outputShapes.size() - 1);
    }

    /** The shape after each layer, in layer order. */
    public List<Shape> outputShapes() {
        return outputShapes;
    }

    /** The shape that layer {@code i} receives. */
    public Shape inputShapeOf(int i) {
        return i == 0 ? inputShape : outputShapes.get(i - 1);
    }

    /** Every layer's {@link Layer#weights()}, layer by layer. */
    public List<Tensor> weights() {
        List<Tensor> all = new ArrayList<>();
        for (Layer l : layers) {
            all.addAll(l.weights());
        }
        return all;
    }

    /** The values a file stores for the model, as Keras's {@code count_params()} counts them: {@link Layer#parameterCount()}. */
    public long parameterCount() {
        return layers.stream().mapToLong(Layer::parameterCount).sum();
    }

    /**
     * The same architecture with new weights, given in {@link #weights()} order. This is how a
     * weights-only file (a state_dict, a Keras {@code save_weights} file) is bound to an
     * architecture.
     */
    public Sequential withWeights(List<Tensor> newWeights) {
        int expected = weights().size();
        if (newWeights.size() != expected) {
            throw new ArchitectureMismatchException("the architecture has " + expected
                    + " weight tensors, the weights have " + newWeights.size());
        }
        List<Layer> out = new ArrayList<>(layers.size());
        int k = 0;
        for (Layer l : layers) {
            int n = l.weights().size();
            out.add(n == 0 ? l : l.withWeights(newWeights.subList(k, k + n)));
            k += n;
        }
        return new Sequential(inputShape, out, info);
    }

    /**
     * The feature map that the Dense or per-feature BatchNorm layer at {@code index} reads through
     * a Flatten (possibly with Dropout, Activation, BatchNorm or Rescaling layers between), when
     * that map is larger than 1x1; otherwise {@code null}. Exactly these layers need their inputs
     * (a Dense's columns, a BatchNorm's vectors) permuted when weights move between the PyTorch
     * (C,H,W) and Keras (H,W,C) flatten orders.
     */
    public Shape flattenedMapFeeding(int index) {
        if (index < 0 || index >= layers.size() || !(layers.get(index) instanceof Dense || layers.get(index) instanceof BatchNorm)) {
            return null;
        }
        for (int i = index - 1; i >= 0; i--) {
            Layer l = layers.get(i);
            if (l instanceof Flatten) {
                Shape s = inputShapeOf(i);
                return !s.flat() && s.height() * s.width() > 1 ? s : null;
            }
            if (!(l instanceof Dropout || l instanceof Activation || l instanceof BatchNorm || l instanceof Rescaling)) {
                return null;
            }
        }
        return null;
    }

    public Sequential withInfo(ModelInfo newInfo) {
        return new Sequential(inputShape, layers, newInfo);
    }

    public Sequential withLayers(List<Layer> newLayers) {
        return new Sequential(inputShape, newLayers, info);
    }

    /**
     * The model without a trailing softmax or sigmoid, so it outputs logits. Returns this model
     * unchanged when it does not end in one.
     */
    public Sequential withoutFinalActivation() {
        Layer last = layers.get(layers.size() - 1);
        if (layers.size() > 1 && last instanceof Activation a
                && (a.function() == Activation.Function.SOFTMAX || a.function() == Activation.Function.SIGMOID)) {
            return new Sequential(inputShape, layers.subList(0, layers.size() - 1), info);
        }
        return this;
    }

    /**
     * A predictor for input in {@code inputLayout}. The layout is required because a caller's array
     * means the same thing whichever file the model came from: the same NCHW array gives the same
     * prediction from a model read from {@code .pt} and from its conversion to {@code .h5}.
     * ({@link #nativeLayout()} tells which layout the source framework itself used.)
     */
    public Predictor newPredictor(Layout inputLayout) {
        return newPredictor(inputLayout, 1);
    }

    /**
     * A predictor that splits each batch of at least 64 images over up to {@code threads} threads
     * (one per chunk of 32 images): the caller's and {@code threads - 1} workers it owns until
     * {@link Predictor#close()}, which claim chunks as they go. Results are bit-identical to a
     * single-threaded predictor.
     */
    public Predictor newPredictor(Layout inputLayout, int threads) {
        return newPredictor(inputLayout, threads, KernelChoice.BEST);
    }

    /** A predictor on the chosen kernels; see {@link KernelChoice#SCALAR} for when plain Java is quicker. */
    public Predictor newPredictor(Layout inputLayout, int threads, KernelChoice kernels) {
        return new Predictor(this, inputLayout, threads, plan(kernels));
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Sequential(input " + inputShape + ")\n");
        for (int i = 0; i < layers.size(); i++) {
            sb.append(String.format("  %-14s %-55s -> %s%n", layers.get(i).name(), layers.get(i).describe(), outputShapes.get(i)));
        }
        return sb.toString();
    }
}
