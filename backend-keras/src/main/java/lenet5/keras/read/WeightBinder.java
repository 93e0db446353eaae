package lenet5.keras.read;

import lenet5.ArchitectureMismatchException;
import lenet5.keras.config.KernelOrder;
import lenet5.keras.config.LayerConfig;
import lenet5.keras.h5.LayerWeights;
import lenet5.keras.h5.StoredTensor;
import lenet5.layers.BatchNorm;
import lenet5.layers.Conv2d;
import lenet5.layers.Dense;
import lenet5.layers.Layer;
import lenet5.layout.Layout;
import lenet5.layout.WeightLayout;
import lenet5.model.ModelInfo;
import lenet5.layout.WeightLayouts;
import lenet5.model.Sequential;
import lenet5.model.StoredWeight;
import lenet5.tensor.Shape;
import lenet5.tensor.Tensor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Puts stored Keras weights into a canonical model: the i-th group of weights goes to the i-th
 * canonical layer that has weights, converted with {@link WeightLayout}. Every shape is checked
 * against what the architecture needs before conversion, so a mismatch names the layer, the
 * weight and both shapes.
 */
public final class WeightBinder {
    private final Path file;
    private final Sequential skeleton;
    private final List<StoredWeight> stored = new ArrayList<>();

    private WeightBinder(Path file, Sequential skeleton) {
        this.file = file;
        this.skeleton = skeleton;
    }

    /**
     * @param groups  the weights of each Keras layer that has weights, in model order
     * @param configs the matching layer configs (entries may be {@code null} when unknown)
     * @param info    format, version and layout of the result (layout {@code null}: from the kernel order);
     *                its stored weights are filled in here
     */
    public static Sequential bind(Path file, Sequential skeleton, List<LayerWeights> groups, List<LayerConfig> configs,
                                  Conventions conventions, ModelInfo info) {
        return new WeightBinder(file, skeleton).run(groups, configs, conventions, info);
    }

    private Sequential run(List<LayerWeights> groups, List<LayerConfig> configs, Conventions c, ModelInfo info) {
        List<Integer> targets = new ArrayList<>();
        for (int i = 0; i < skeleton.layers().size(); i++) {
            if (!skeleton.layers().get(i).weights().isEmpty()) {
                targets.add(i);
            }
        }
        if (groups.size() != targets.size()) {
            List<String> names = new ArrayList<>();
            groups.forEach(g -> names.add(g.layer()));
            throw new ArchitectureMismatchException(file, "the architecture has " + targets.size()
                    + " layers with weights, the file has weights for " + groups.size() + " layers " + names);
        }
        KernelOrder order = c.order() == KernelOrder.DETECT ? detect(groups, targets) : c.order();
        boolean hwc = c.flattenHwc() != null ? c.flattenHwc() : order != KernelOrder.THEANO;
        // Weights-only files leave the layout to the kernels: Theano-ordered models were fed NCHW.
        Layout layout = info.nativeLayout() != null ? info.nativeLayout() : order == KernelOrder.THEANO ? Layout.NCHW : Layout.NHWC;
        List<Layer> layers = new ArrayList<>(skeleton.layers());
        for (int k = 0; k < targets.size(); k++) {
            int i = targets.get(k);
            Layer layer = layers.get(i);
            LayerWeights g = groups.get(k);
            List<Tensor> w;
            if (layer instanceof Conv2d conv) {
                w = conv(i, conv, g, order, c.flip());
            } else if (layer instanceof Dense d) {
                w = dense(i, d, g, hwc ? skeleton.flattenedMapFeeding(i) : null);
            } else if (layer instanceof BatchNorm bn) {
                w = batchNorm(i, bn, g, configs == null ? null : configs.get(k));
                Shape map = hwc ? skeleton.flattenedMapFeeding(i) : null;
                if (map != null) {
                    w = w.stream().map(t -> WeightLayouts.featuresFromHwc(t, map)).toList();
                }
            } else {
                throw new ArchitectureMismatchException(file, "layer '" + layer.name() + "' has weights of a kind this reader cannot bind");
            }
            try {
                layers.set(i, layer.withWeights(w));
            } catch (ArchitectureMismatchException e) {
                throw new ArchitectureMismatchException(file, "Keras layer '" + g.layer() + "': " + e.getMessage(), e);
            }
        }
        return new Sequential(skeleton.inputShape(), layers,
                new ModelInfo(info.format(), info.frameworkVersion(), layout, stored));
    }

    /** Keras 1 weights-only files do not say how kernels are ordered; the first unambiguous kernel shape decides. */
    private KernelOrder detect(List<LayerWeights> groups, List<Integer> targets) {
        for (int k = 0; k < targets.size(); k++) {
            if (skeleton.layers().get(targets.get(k)) instanceof Conv2d c && !groups.get(k).isEmpty()) {
                int[] s = groups.get(k).tensors().get(0).shape();
                boolean tf = Arrays.equals(s, new int[] {c.kernelH(), c.kernelW(), c.inChannels(), c.outChannels()});
                boolean th = Arrays.equals(s, new int[] {c.outChannels(), c.inChannels(), c.kernelH(), c.kernelW()});
                if (tf != th) {
                    return tf ? KernelOrder.TF : KernelOrder.THEANO;
                }
            }
        }
        return KernelOrder.TF;
    }

    private List<Tensor> conv(int i, Conv2d conv, LayerWeights g, KernelOrder order, boolean flip) {
        count(conv, g, conv.bias() == null ? 1 : 2, conv.bias() == null ? "kernel" : "kernel, bias");
        StoredTensor k = g.tensors().get(0);
        int o = conv.outChannels(), in = conv.inChannels(), kh = conv.kernelH(), kw = conv.kernelW();
        WeightLayout layout = new WeightLayout(order == KernelOrder.TF ? WeightLayout.Axes.HWIO : WeightLayout.Axes.OIHW, flip, null);
        shape(conv, g, k, layout, layout.storedShape(o, in, kh, kw));
        record(k, layout, i);
        List<Tensor> result = new ArrayList<>(List.of(layout.toCanonical(k.values())));
        if (conv.bias() != null) {
            result.add(bias(i, conv, g, g.tensors().get(1), o));
        }
        return result;
    }

    private List<Tensor> dense(int i, Dense d, LayerWeights g, Shape flattenedMap) {
        count(d, g, d.bias() == null ? 1 : 2, d.bias() == null ? "kernel" : "kernel, bias");
        StoredTensor k = g.tensors().get(0);
        WeightLayout layout = WeightLayout.kerasDense(flattenedMap);
        shape(d, g, k, layout, layout.storedShape(d.outFeatures(), d.inFeatures()));
        record(k, layout, i);
        List<Tensor> result = new ArrayList<>(List.of(layout.toCanonical(k.values())));
        if (d.bias() != null) {
            result.add(bias(i, d, g, g.tensors().get(1), d.outFeatures()));
        }
        return result;
    }

    /** Keras stores gamma (if scale), beta (if center), moving mean, moving variance. */
    private List<Tensor> batchNorm(int i, BatchNorm bn, LayerWeights g, LayerConfig config) {
        int n = g.tensors().size();
        boolean normalization = config != null ? config.className().equals("Normalization")
                : n == 3 && g.tensors().get(2).shape().length == 0;
        if (normalization) {
            return normalization(i, bn, g);
        }
        if (n < 2 || n > 4 || n == 3 && config == null) {
            throw new ArchitectureMismatchException(file, "Keras layer '" + g.layer() + "' (BatchNormalization) has " + n
                    + " weights; expected gamma, beta, moving_mean, moving_variance");
        }
        // Two weights: neither scale nor center; three: exactly one of them, as the config says.
        boolean scale = n == 4 || n == 3 && config.bool(true, "scale");
        boolean center = n == 4 || n == 3 && !scale;
        List<Tensor> out = new ArrayList<>();
        int next = 0;
        int c = bn.channels();
        out.add(scale ? bias(i, bn, g, g.tensors().get(next++), c) : bn.gamma());
        out.add(center ? bias(i, bn, g, g.tensors().get(next++), c) : bn.beta());
        out.add(bias(i, bn, g, g.tensors().get(next++), c));
        out.add(bias(i, bn, g, g.tensors().get(next), c));
        return out;
    }

    /**
     * Keras's Normalization stores mean, variance and an int count (per channel, or one value for
     * all with axis=None); as a batch norm with epsilon 0 it is gamma 1, beta 0, and the variance
     * at least 1e-14, because Keras divides by {@code max(sqrt(variance), 1e-7)}.
     */
    private List<Tensor> normalization(int i, BatchNorm bn, LayerWeights g) {
        count(bn, g, 3, "mean, variance, count");
        int c = bn.channels();
        Tensor mean = perChannel(i, bn, g, g.tensors().get(0), c);
        float[] var = perChannel(i, bn, g, g.tensors().get(1), c).data().clone();
        for (int k = 0; k < c; k++) {
            var[k] = Math.max(var[k], 1e-14f);
        }
        return List.of(Tensor.full(1f, c), Tensor.zeros(c), mean, Tensor.of(var, c));
    }

    private Tensor perChannel(int i, Layer layer, LayerWeights g, StoredTensor t, int n) {
        if (t.values().size() == 1 && n != 1) {
            record(t, WeightLayout.VECTOR, i);
            return Tensor.full(t.values().data()[0], n);
        }
        return bias(i, layer, g, t, n);
    }

    private Tensor bias(int i, Layer layer, LayerWeights g, StoredTensor t, int n) {
        shape(layer, g, t, WeightLayout.VECTOR, new int[] {n});
        record(t, WeightLayout.VECTOR, i);
        return t.values();
    }

    private void count(Layer layer, LayerWeights g, int expected, String what) {
        if (g.tensors().size() != expected) {
            List<String> names = new ArrayList<>();
            g.tensors().forEach(t -> names.add(t.name()));
            throw new ArchitectureMismatchException(file, "Keras layer '" + g.layer() + "' has weights " + names
                    + " but layer '" + layer.name() + "' (" + layer.describe() + ") needs " + expected + " (" + what + ")");
        }
    }

    private void shape(Layer layer, LayerWeights g, StoredTensor t, WeightLayout layout, int[] expected) {
        if (!Arrays.equals(t.shape(), expected)) {
            throw new ArchitectureMismatchException(file, "Keras layer '" + g.layer() + "': weight '" + t.name() + "' has shape "
                    + Arrays.toString(t.shape()) + " but layer '" + layer.name() + "' (" + layer.describe() + ") needs "
                    + Arrays.toString(expected) + " " + layout.describe());
        }
    }

    private void record(StoredTensor t, WeightLayout layout, int layer) {
        List<Integer> shape = new ArrayList<>();
        for (int d : t.shape()) {
            shape.add(d);
        }
        stored.add(new StoredWeight(t.name(), shape, t.dtype(), layout, layer));
    }
}
