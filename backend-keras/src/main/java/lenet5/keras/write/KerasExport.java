package lenet5.keras.write;

import com.fasterxml.jackson.databind.node.ObjectNode;
import lenet5.UnrepresentableModelException;
import lenet5.keras.config.Json;
import lenet5.keras.config.Activations;
import lenet5.layers.Activation;
import lenet5.layers.AdaptivePool2d;
import lenet5.layers.BatchNorm;
import lenet5.layers.Conv2d;
import lenet5.layers.Dense;
import lenet5.layers.Dropout;
import lenet5.layers.Flatten;
import lenet5.layers.Layer;
import lenet5.layers.Padding;
import lenet5.layers.Pool2d;
import lenet5.layers.Rescaling;
import lenet5.layers.ZeroPad2d;
import lenet5.layout.WeightLayout;
import lenet5.layout.WeightLayouts;
import lenet5.model.Sequential;
import lenet5.tensor.Shape;
import lenet5.tensor.Tensor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Canonical model to Keras layers: an Activation right after a Conv2d or Dense is fused into its
 * {@code activation}; padding becomes 'valid' or 'same' when it equals Keras's rule for the actual
 * input size and an explicit ZeroPadding2D otherwise; kernels go through {@link WeightLayouts}, and
 * the first Dense after a Flatten of a map larger than 1x1 gets its columns into (H,W,C) order.
 */
public final class KerasExport {
    private static final Pattern VALID_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_.\\-]{0,127}");

    private final Path target;
    private final Sequential model;
    /** Whether the layers are for a Keras 3 config (some activation names differ between generations). */
    private final boolean keras3;
    private final List<KerasLayer> out = new ArrayList<>();
    private final Set<String> used = new HashSet<>();

    private KerasExport(Path target, Sequential model, boolean keras3) {
        this.target = target;
        this.model = model;
        this.keras3 = keras3;
    }

    /** The model as a Keras layer list (channels_last), for a Keras 3 config or a Keras 2 form one. */
    public static List<KerasLayer> layers(Sequential model, Path target, boolean keras3) {
        KerasExport e = new KerasExport(target, model, keras3);
        e.run();
        return e.out;
    }

    /** The per-sample input shape in Keras order: (H,W,C) or (F). */
    public static int[] kerasShape(Shape s) {
        return s.flat() ? new int[] {s.channels()} : new int[] {s.height(), s.width(), s.channels()};
    }

    private void run() {
        // Names the model already has come first, so generated names never take them.
        for (Layer l : model.layers()) {
            if (VALID_NAME.matcher(l.name()).matches()) {
                used.add(l.name());
            }
        }
        Set<String> kept = new HashSet<>();
        List<Layer> ls = model.layers();
        for (int i = 0; i < ls.size(); i++) {
            Layer l = ls.get(i);
            Shape in = model.inputShapeOf(i);
            Activation fused = i + 1 < ls.size() && ls.get(i + 1) instanceof Activation a && Activations.name(a, keras3) != null
                    && (l instanceof Conv2d || l instanceof Dense) ? a : null;
            String name = VALID_NAME.matcher(l.name()).matches() && kept.add(l.name()) ? l.name() : null;
            if (l instanceof Conv2d c) {
                conv(c, in, name, fused);
            } else if (l instanceof Dense d) {
                dense(i, d, in, name, fused);
            } else if (l instanceof Pool2d p) {
                pool(i, p, in, name);
            } else if (l instanceof ZeroPad2d z) {
                zeroPad(z.padding(), in, name);
            } else if (l instanceof Flatten) {
                add("Flatten", name, "flatten", fields().put("data_format", "channels_last"), List.of(), in);
            } else if (l instanceof Activation a) {
                activation(a, in, name);
            } else if (l instanceof AdaptivePool2d p) {
                boolean flattened = p.isGlobal() && i + 1 < ls.size() && ls.get(i + 1) instanceof Flatten;
                adaptivePool(p, in, name, flattened);
                if (flattened) {
                    i++;
                }
            } else if (l instanceof Rescaling r) {
                add("Rescaling", name, "rescaling", fields().put("scale", r.scale()).put("offset", r.offset()), List.of(), in);
            } else if (l instanceof Dropout d) {
                add("Dropout", name, "dropout", fields().put("rate", d.rate()), List.of(), in);
            } else if (l instanceof BatchNorm b) {
                batchNorm(b, in, name, model.flattenedMapFeeding(i));
            } else {
                throw new UnrepresentableModelException(target, "layer '" + l.name() + "' (" + l.describe() + ") has no Keras equivalent");
            }
            if (fused != null) {
                i++;
            }
        }
    }

    private void conv(Conv2d c, Shape in, String name, Activation fused) {
        Padding p = c.padding();
        String mode = "valid";
        if (p.equals(Padding.same(in.height(), in.width(), c.kernelH(), c.kernelW(), c.strideH(), c.strideW())) && !p.isZero()) {
            mode = "same";
        } else if (!p.isZero()) {
            in = zeroPad(p, in, null);
        }
        ObjectNode f = fields().put("filters", c.outChannels());
        f.putArray("kernel_size").add(c.kernelH()).add(c.kernelW());
        f.putArray("strides").add(c.strideH()).add(c.strideW());
        f.put("padding", mode).put("data_format", "channels_last");
        f.putArray("dilation_rate").add(1).add(1);
        f.put("groups", 1).put("activation", activation(fused)).put("use_bias", c.bias() != null);
        add("Conv2D", name, "conv2d", f, weights(WeightLayout.KERAS_CONV.fromCanonical(c.weight()), c.bias()), in);
    }

    private void dense(int i, Dense d, Shape in, String name, Activation fused) {
        if (!in.flat()) {
            // A Dense on a 1x1 map: Keras would keep the map's rank, so flatten explicitly.
            add("Flatten", null, "flatten", fields().put("data_format", "channels_last"), List.of(), in);
            in = Shape.flat(in.size());
        }
        Tensor w = WeightLayout.kerasDense(model.flattenedMapFeeding(i)).fromCanonical(d.weight());
        ObjectNode f = fields().put("units", d.outFeatures()).put("activation", activation(fused)).put("use_bias", d.bias() != null);
        add("Dense", name, "dense", f, weights(w, d.bias()), in);
    }

    private void pool(int i, Pool2d p, Shape in, String name) {
        Pool2d floor = new Pool2d(p.name(), p.kind(), p.kernelH(), p.kernelW(), p.strideH(), p.strideW(), p.padding(),
                p.countIncludePad(), false);
        if (!floor.outputShape(in).equals(model.outputShapes().get(i))) {
            throw unrepresentable(p, "ceil_mode changes its output size for a " + in + " input; Keras rounds down");
        }
        Padding pad = p.padding();
        boolean same = pad.equals(Padding.same(in.height(), in.width(), p.kernelH(), p.kernelW(), p.strideH(), p.strideW()));
        boolean avg = p.kind() == Pool2d.Kind.AVG;
        String mode;
        if (pad.isZero()) {
            mode = "valid";
        } else if (same && (!avg || !p.countIncludePad())) {
            mode = "same"; // Keras 'same' pooling ignores the padded pixels
        } else if (avg && p.countIncludePad()) {
            in = zeroPad(pad, in, null); // counting padded zeros is exactly zero padding then 'valid'
            mode = "valid";
        } else {
            throw unrepresentable(p, (avg ? "average pooling that excludes padding " : "max pooling with padding ") + pad
                    + " other than Keras's 'same' for a " + in + " input");
        }
        ObjectNode f = fields();
        f.putArray("pool_size").add(p.kernelH()).add(p.kernelW());
        f.put("padding", mode);
        f.putArray("strides").add(p.strideH()).add(p.strideW());
        f.put("data_format", "channels_last");
        add(avg ? "AveragePooling2D" : "MaxPooling2D", name, avg ? "average_pooling2d" : "max_pooling2d", f, List.of(), in);
    }

    private Shape zeroPad(Padding p, Shape in, String name) {
        ObjectNode f = fields();
        var a = f.putArray("padding");
        a.addArray().add(p.top()).add(p.bottom());
        a.addArray().add(p.left()).add(p.right());
        f.put("data_format", "channels_last");
        add("ZeroPadding2D", name, "zero_padding2d", f, List.of(), in);
        return Shape.chw(in.channels(), in.height() + p.top() + p.bottom(), in.width() + p.left() + p.right());
    }

    /** @param flattened the map a Keras Flatten before it flattens in (H,W,C) order, or null */
    private void batchNorm(BatchNorm b, Shape in, String name, Shape flattened) {
        // Without affine parameters (PyTorch's affine=False) Keras has neither gamma nor beta: center=False, scale=False.
        ObjectNode f = fields().put("axis", -1).put("momentum", 0.99).put("epsilon", b.epsilon())
                .put("center", b.affine()).put("scale", b.affine());
        java.util.function.UnaryOperator<Tensor> order = t -> flattened == null ? t : WeightLayouts.featuresToHwc(t, flattened);
        List<KerasLayer.Weight> w = new ArrayList<>();
        if (b.affine()) {
            w.add(new KerasLayer.Weight("gamma", order.apply(b.gamma())));
            w.add(new KerasLayer.Weight("beta", order.apply(b.beta())));
        }
        w.add(new KerasLayer.Weight("moving_mean", order.apply(b.mean())));
        w.add(new KerasLayer.Weight("moving_variance", order.apply(b.variance())));
        add("BatchNormalization", name, "batch_normalization", f, w, in);
    }

    private static List<KerasLayer.Weight> weights(Tensor kernel, Tensor bias) {
        List<KerasLayer.Weight> w = new ArrayList<>();
        w.add(new KerasLayer.Weight("kernel", kernel));
        if (bias != null) {
            w.add(new KerasLayer.Weight("bias", bias));
        }
        return w;
    }

    private String activation(Activation fused) {
        return fused == null ? "linear" : Activations.name(fused, keras3);
    }

    /** An Activation layer where Keras names the function, else the layer Keras has for it (LeakyReLU, ELU, ReLU). */
    private void activation(Activation a, Shape in, String name) {
        String keras = Activations.name(a, keras3);
        if (keras != null) {
            add("Activation", name, "activation", fields().put("activation", keras), List.of(), in);
            return;
        }
        switch (a.function()) {
            case LEAKY_RELU -> add("LeakyReLU", name, "leaky_re_lu", fields().put("negative_slope", a.a()), List.of(), in);
            case ELU -> add("ELU", name, "elu", fields().put("alpha", a.a()), List.of(), in);
            case HARDTANH -> {
                if (a.a() != 0 || !(a.b() >= 0)) {
                    throw unrepresentable(a, "Keras clips only from 0 (ReLU with max_value)" + (keras3 ? " or to [-1, 1] (hard_tanh)" : ""));
                }
                add("ReLU", name, "re_lu", fields().put("max_value", a.b()).put("negative_slope", 0.0).put("threshold", 0.0),
                        List.of(), in);
            }
            case GELU_TANH -> throw unrepresentable(a, "a Keras config can name only the exact gelu (approximate=False)");
            case SOFTPLUS -> throw unrepresentable(a, "Keras's softplus has beta 1 (and PyTorch's threshold 20)");
            case HARD_SIGMOID -> throw unrepresentable(a, keras3
                    ? "Keras 3's hard_sigmoid has slope 1/6 (relu6(x+3)/6); Keras 2's slope 0.2 cannot be written for Keras 3"
                    : "'hard_sigmoid' is relu6(x+3)/6 in Keras 3 but clip(0.2x+0.5) in Keras 2, which also read this file "
                    + "format; write a .keras file");
            default -> throw unrepresentable(a, "no Keras equivalent");
        }
    }

    /** Global pooling, or a fixed pooling where the input divides evenly into the output cells. */
    private void adaptivePool(AdaptivePool2d p, Shape in, String name, boolean flattened) {
        boolean max = p.kind() == Pool2d.Kind.MAX;
        if (p.isGlobal()) {
            ObjectNode f = fields().put("data_format", "channels_last").put("keepdims", !flattened);
            add(max ? "GlobalMaxPooling2D" : "GlobalAveragePooling2D", name, max ? "global_max_pooling2d" : "global_average_pooling2d",
                    f, List.of(), in);
            return;
        }
        Pool2d fixed = p.asPool(in);
        if (fixed == null) {
            throw unrepresentable(p, "on a " + in + " input its windows differ in size (PyTorch's adaptive rule), "
                    + "which no Keras pooling computes");
        }
        ObjectNode f = fields();
        f.putArray("pool_size").add(fixed.kernelH()).add(fixed.kernelW());
        f.put("padding", "valid");
        f.putArray("strides").add(fixed.strideH()).add(fixed.strideW());
        f.put("data_format", "channels_last");
        add(max ? "MaxPooling2D" : "AveragePooling2D", name, max ? "max_pooling2d" : "average_pooling2d", f, List.of(), in);
    }

    private void add(String cls, String name, String prefix, ObjectNode f, List<KerasLayer.Weight> w, Shape in) {
        out.add(new KerasLayer(cls, name != null ? name : fresh(prefix), f, w, kerasShape(in)));
    }

    /** Keras's own naming scheme: conv2d, conv2d_1, conv2d_2, ... */
    private String fresh(String prefix) {
        String n = prefix;
        for (int k = 1; used.contains(n); k++) {
            n = prefix + "_" + k;
        }
        used.add(n);
        return n;
    }

    private static ObjectNode fields() {
        return Json.mapper().createObjectNode();
    }

    private UnrepresentableModelException unrepresentable(Layer l, String why) {
        return new UnrepresentableModelException(target, "layer '" + l.name() + "' (" + l.describe() + "): " + why);
    }
}
