package lenet5.keras.config;

import com.fasterxml.jackson.databind.JsonNode;
import lenet5.ArchitectureMismatchException;
import lenet5.CorruptFileException;
import lenet5.keras.Limits;
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
import lenet5.layout.Layout;
import lenet5.model.ModelInfo;
import lenet5.model.Sequential;
import lenet5.tensor.Shape;
import lenet5.tensor.Tensor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Turns a {@link ModelConfig} into the canonical model. A Keras layer with a fused activation
 * becomes two canonical layers ({@code conv2d} and {@code conv2d/tanh}); padding 'same' becomes
 * the explicit {@link Padding#same} for the actual input size, so asymmetric padding is exact.
 */
public final class ModelBuilder {
    private final Path file;
    private final List<Layer> layers = new ArrayList<>();
    private final List<LayerConfig> weighted = new ArrayList<>();
    private boolean channelsFirst;
    private boolean theanoKernels;
    private boolean flattenHwc = true;
    /** Keras 3 wrote the config (some activation names mean something else in Keras 1 and 2). */
    private boolean keras3;
    private long parameters;
    private Shape cur;

    private ModelBuilder(Path file) {
        this.file = file;
    }

    /**
     * @param inputOverride the input shape to use when the config does not record one (or {@code null})
     */
    public static Architecture build(Path file, ModelConfig config, Shape inputOverride) {
        ModelBuilder b = new ModelBuilder(file);
        b.channelsFirst = channelsFirst(file, config);
        b.keras3 = config.keras3();
        List<LayerConfig> ls = config.layers();
        LayerConfig reshape = firstReshape(ls);
        Shape input = reshape != null ? b.reshapedInput(config, reshape, inputOverride) : b.inputShape(config, inputOverride);
        b.cur = input;
        for (int i = 0; i < ls.size(); i++) {
            LayerConfig l = ls.get(i);
            if (l.className().equals("InputLayer")) {
                if (i != 0) {
                    throw l.unsupported("an InputLayer that is not the first layer");
                }
                continue;
            }
            if (l != reshape) {
                b.add(l);
            }
        }
        if (b.layers.isEmpty()) {
            throw new CorruptFileException(file, "the model config has no layers besides its input");
        }
        Sequential skeleton = new Sequential(input, b.layers, ModelInfo.UNKNOWN);
        return new Architecture(skeleton, b.weighted, b.theanoKernels ? KernelOrder.THEANO : KernelOrder.TF,
                b.flattenHwc, b.channelsFirst ? Layout.NCHW : Layout.NHWC);
    }

    /** The model's data format, from the first layer that states one; mixed formats are refused. */
    private static boolean channelsFirst(Path file, ModelConfig config) {
        Boolean first = null;
        for (LayerConfig l : config.layers()) {
            if (l.className().equals("Flatten")) {
                continue; // Flatten's data_format means something else (see flatten())
            }
            String f = l.text(null, "data_format", "dim_ordering");
            if (f == null || f.equals("default")) {
                continue;
            }
            boolean cf = switch (f) {
                case "channels_first", "th" -> true;
                case "channels_last", "tf" -> false;
                default -> throw l.unsupported("unknown data format '" + f + "'");
            };
            if (first != null && first != cf) {
                throw l.unsupported("mixes channels_first and channels_last layers");
            }
            first = cf;
        }
        return first != null && first;
    }

    /** Whether the first layer after the input is a Flatten. */
    private static boolean flattensInput(List<LayerConfig> ls) {
        int i = !ls.isEmpty() && ls.get(0).className().equals("InputLayer") ? 1 : 0;
        return i < ls.size() && ls.get(i).className().equals("Flatten");
    }

    /** A Reshape to a feature map right after the input: the model's input is then that map. */
    private static LayerConfig firstReshape(List<LayerConfig> ls) {
        int i = !ls.isEmpty() && ls.get(0).className().equals("InputLayer") ? 1 : 0;
        if (i < ls.size() && ls.get(i).className().equals("Reshape")) {
            JsonNode t = ls.get(i).field("target_shape", "dims");
            return t != null && t.isArray() && t.size() == 3 ? ls.get(i) : null;
        }
        return null;
    }

    /**
     * The input of a model whose first layer reshapes it (e.g. 28x28 to 28x28x1, or 784 to
     * 28x28x1): the Reshape's target, since Keras reshapes in row-major order, which is exactly
     * how channels-last (or, for channels_first models, channels-first) input is laid out.
     */
    private Shape reshapedInput(ModelConfig config, LayerConfig reshape, Shape override) {
        JsonNode t = reshape.field("target_shape", "dims");
        long declared = declaredInputSize(config);
        int[] d = new int[3];
        int unknown = -1;
        long known = 1;
        for (int k = 0; k < 3; k++) {
            JsonNode v = t.get(k);
            if (!v.canConvertToInt() || v.asInt() == 0 || v.asInt() < -1) {
                throw reshape.corrupt("bad target_shape " + t);
            }
            d[k] = v.asInt();
            if (d[k] == -1) {
                if (unknown >= 0) {
                    throw reshape.corrupt("target_shape " + t + " has more than one -1");
                }
                unknown = k;
            } else {
                known *= d[k];
                if (known > Limits.MAX_TENSOR_ELEMENTS) {
                    throw reshape.unsupported("target_shape " + t + " is over the size limit");
                }
            }
        }
        if (unknown >= 0) {
            if (declared <= 0 && override != null) {
                return override;
            }
            if (declared <= 0 || declared % known != 0) {
                throw reshape.unsupported("target_shape " + t + " cannot be resolved for an input of " + declared + " values");
            }
            d[unknown] = (int) (declared / known);
        } else if (declared > 0 && declared != known) {
            throw reshape.corrupt("reshapes an input of " + declared + " values to " + t);
        }
        Shape s = channelsFirst ? Shape.chw(d[0], d[1], d[2]) : Shape.chw(d[2], d[0], d[1]);
        allocate(reshape, s.size());
        return s;
    }

    /** The number of values per sample the config declares for its input, or -1 when it does not say. */
    private static long declaredInputSize(ModelConfig config) {
        JsonNode dims = config.layers().get(0).field("batch_input_shape", "batch_shape");
        int from = 1;
        if (dims == null) {
            dims = config.layers().get(0).field("input_shape");
            from = 0;
        }
        if (dims == null || !dims.isArray()) {
            return -1;
        }
        long n = 1;
        for (int i = from; i < dims.size(); i++) {
            if (!dims.get(i).canConvertToInt() || dims.get(i).asInt() <= 0) {
                return -1;
            }
            n *= dims.get(i).asInt();
            if (n > Limits.MAX_TENSOR_ELEMENTS) {
                return -1;
            }
        }
        return n;
    }

    private Shape inputShape(ModelConfig config, Shape override) {
        LayerConfig first = config.layers().get(0);
        JsonNode dims = first.field("batch_input_shape", "batch_shape");
        boolean hasBatch = true;
        if (dims == null) {
            dims = first.field("input_shape");
            hasBatch = false;
        }
        if (dims == null && first.has("input_dim")) {
            return Shape.flat(first.integer("input_dim"));
        }
        if (dims == null || !dims.isArray()) {
            if (override != null) {
                return override;
            }
            throw new ArchitectureMismatchException(file, "the model config does not record its input shape; pass one");
        }
        List<Integer> d = new ArrayList<>();
        for (int i = hasBatch ? 1 : 0; i < dims.size(); i++) {
            JsonNode v = dims.get(i);
            if (v.isNull()) {
                if (override != null) {
                    return override;
                }
                throw new ArchitectureMismatchException(file, "the input shape " + dims + " has unknown dimensions (the model takes any image size); "
                        + "pass the input shape to use (--input-shape CxHxW, LoadOptions.withInputShape)");
            }
            if (!v.canConvertToInt() || v.asInt() <= 0) {
                throw first.corrupt("bad input shape " + dims);
            }
            d.add(v.asInt());
        }
        if (d.size() == 1) {
            return Shape.flat(d.get(0));
        }
        if (d.size() == 3) {
            return channelsFirst ? Shape.chw(d.get(0), d.get(1), d.get(2)) : Shape.chw(d.get(2), d.get(0), d.get(1));
        }
        if (d.size() == 2 && flattensInput(config.layers())) {
            // Flatten(input_shape=(28, 28)), the Keras MNIST tutorial's MLP: rows of (H,W) pixels are (H,W,1) images
            return Shape.chw(1, d.get(0), d.get(1));
        }
        throw first.unsupported("input shape " + dims + " is neither an image (H,W,C) nor a vector");
    }

    private void add(LayerConfig l) {
        switch (l.className()) {
            case "Conv2D", "Convolution2D" -> conv(l);
            case "Dense" -> dense(l);
            case "MaxPooling2D", "AveragePooling2D" -> pool(l);
            case "GlobalAveragePooling2D", "GlobalMaxPooling2D" -> globalPool(l);
            case "ZeroPadding2D" -> push(new ZeroPad2d(l.name(), zeroPadding(l)));
            case "Flatten" -> flatten(l);
            case "Reshape" -> reshape(l);
            case "Activation" -> push(Activations.parse(l, l.field("activation"), l.name(), keras3));
            case "Identity" -> push(new Activation(l.name(), Activation.Function.LINEAR));
            case "Softmax" -> {
                int axis = l.integer(-1, "axis");
                if (axis != -1 && axis != (cur.flat() ? 1 : channelAxis())) {
                    throw l.unsupported("softmax over axis " + axis + " (only the channel axis is supported)");
                }
                push(new Activation(l.name(), Activation.Function.SOFTMAX));
            }
            case "ReLU" -> relu(l);
            case "LeakyReLU" -> push(new Activation(l.name(), Activation.Function.LEAKY_RELU,
                    l.number(0.3, "negative_slope", "alpha"), 0));
            case "ELU" -> push(new Activation(l.name(), Activation.Function.ELU, l.number(1.0, "alpha"), 0));
            case "Dropout", "SpatialDropout1D", "SpatialDropout2D", "AlphaDropout", "GaussianDropout" ->
                    push(new Dropout(l.name(), l.number(0, "rate", "p")));
            case "GaussianNoise" -> push(new Dropout(l.name(), 0)); // noise only while training
            case "BatchNormalization" -> batchNorm(l);
            case "Normalization" -> normalization(l);
            case "Rescaling" -> rescaling(l);
            default -> throw l.unsupported("unsupported layer class (supported: " + SUPPORTED + ")");
        }
    }

    private static final String SUPPORTED = "InputLayer, Conv2D, Dense, AveragePooling2D, MaxPooling2D, "
            + "GlobalAveragePooling2D, GlobalMaxPooling2D, ZeroPadding2D, Flatten, Reshape (to a flat vector, or to an image "
            + "as the first layer), Activation, Identity, Softmax, ReLU, LeakyReLU, ELU, Dropout, SpatialDropout1D/2D, "
            + "AlphaDropout, GaussianDropout, GaussianNoise, BatchNormalization, Normalization, Rescaling";

    /** Keras's ReLU layer: a cap (ReLU6 and the like) or a negative slope, not both, and no threshold. */
    private void relu(LayerConfig l) {
        double slope = l.number(0, "negative_slope", "alpha");
        double threshold = l.number(0, "threshold");
        JsonNode max = l.field("max_value");
        if (threshold != 0 || (max != null && slope != 0)) {
            throw l.unsupported("ReLU with threshold " + threshold + ", max_value " + max + " and negative_slope " + slope
                    + " (supported: a max_value or a negative_slope, without threshold)");
        }
        if (max != null) {
            push(new Activation(l.name(), Activation.Function.HARDTANH, 0, l.number(0, "max_value")));
        } else if (slope != 0) {
            push(new Activation(l.name(), Activation.Function.LEAKY_RELU, slope, 0));
        } else {
            push(new Activation(l.name(), Activation.Function.RELU));
        }
    }

    private void globalPool(LayerConfig l) {
        requireMap(l);
        Pool2d.Kind kind = l.className().startsWith("GlobalMax") ? Pool2d.Kind.MAX : Pool2d.Kind.AVG;
        push(AdaptivePool2d.global(l.name(), kind));
        if (!l.bool(false, "keepdims")) {
            push(new Flatten(l.name() + "/flatten"));
        }
    }

    /** A Reshape after the first layer: only to a flat vector, which is Keras's Flatten. */
    private void reshape(LayerConfig l) {
        JsonNode t = l.field("target_shape", "dims");
        boolean flat = t != null && t.isArray() && t.size() == 1 && (t.get(0).asInt() == -1 || t.get(0).asInt() == cur.size());
        if (!flat) {
            throw l.unsupported("Reshape to " + t + " (supported: to a flat vector, or to an image as the model's first layer)");
        }
        flatten(l);
    }

    /** Keras's Rescaling: {@code x * scale + offset} with scalar scale and offset. */
    private void rescaling(LayerConfig l) {
        JsonNode scale = l.field("scale"), offset = l.field("offset");
        if (scale == null || !scale.isNumber() || (offset != null && !offset.isNumber())) {
            throw l.unsupported("Rescaling with scale " + scale + " and offset " + offset + " (only numbers are supported)");
        }
        push(new Rescaling(l.name(), (float) scale.asDouble(), offset == null ? 0f : (float) offset.asDouble()));
    }

    /**
     * Keras's Normalization ({@code (x - mean) / max(sqrt(variance), 1e-7)}) is a batch norm with
     * epsilon 0 whose variance is bound at least 1e-14 (see {@link lenet5.keras.read.WeightBinder}).
     */
    private void normalization(LayerConfig l) {
        if (l.bool(false, "invert")) {
            throw l.unsupported("Normalization with invert=True");
        }
        if (l.has("mean") || l.has("variance")) {
            throw l.unsupported("Normalization with mean and variance in its config (only adapted ones, whose "
                    + "statistics are weights, are supported)");
        }
        JsonNode axisNode = l.field("axis");
        int axis = axisNode == null ? -1 : axisNode.isArray() && axisNode.size() == 1 ? axisNode.get(0).asInt(Integer.MIN_VALUE)
                : axisNode.isArray() && axisNode.isEmpty() ? 0 : axisNode.asInt(Integer.MIN_VALUE);
        boolean perChannel = cur.flat() ? axis == -1 || axis == 1 : axis == -1 || axis == channelAxis();
        if (!perChannel && axis != 0) {
            throw l.unsupported("normalizing axis " + axisNode + " (only the channel axis, or none, is supported)");
        }
        int c = cur.channels();
        allocate(l, 4L * c);
        push(new BatchNorm(l.name(), c, 0, Tensor.full(1f, c), Tensor.zeros(c), Tensor.zeros(c), Tensor.full(1f, c)));
        weighted.add(l);
    }

    private void push(Layer layer) {
        try {
            cur = layer.outputShape(cur);
        } catch (ArchitectureMismatchException e) {
            throw new ArchitectureMismatchException(file, e.getMessage(), e);
        }
        layers.add(layer);
    }

    private void conv(LayerConfig l) {
        requireMap(l);
        int filters = l.integer("filters", "nb_filter");
        int[] k = l.has("kernel_size") ? l.pair(null, "kernel_size")
                : new int[] {l.integer("nb_row"), l.integer("nb_col")};
        int[] s = l.pair(new int[] {1, 1}, "strides", "subsample");
        if (!Arrays.equals(l.pair(new int[] {1, 1}, "dilation_rate", "atrous_rate"), new int[] {1, 1})) {
            throw l.unsupported("dilated convolution is not supported");
        }
        if (l.integer(1, "groups") != 1) {
            throw l.unsupported("grouped convolution is not supported");
        }
        if ("th".equals(l.text(null, "dim_ordering"))) {
            theanoKernels = true;
        }
        positive(l, filters, k[0], k[1], s[0], s[1]);
        Padding p = padding(l, k, s);
        boolean bias = l.bool(true, "use_bias", "bias");
        allocate(l, Tensor.numel(filters, cur.channels(), k[0], k[1]));
        push(Conv2d.of(l.name(), cur.channels(), filters, k[0], k[1], s[0], s[1], p, bias));
        weighted.add(l);
        activation(l);
    }

    private void dense(LayerConfig l) {
        int units = l.integer("units", "output_dim");
        positive(l, units);
        if (!cur.flat() && cur.height() * cur.width() != 1) {
            throw l.unsupported("Dense on a " + cur + " feature map without Flatten is not supported");
        }
        allocate(l, Tensor.numel(units, cur.channels()));
        push(Dense.of(l.name(), cur.channels(), units, l.bool(true, "use_bias", "bias")));
        weighted.add(l);
        activation(l);
    }

    private void activation(LayerConfig l) {
        JsonNode v = l.field("activation");
        Activation a = Activations.parse(l, v, l.name(), keras3);
        if (a.function() != Activation.Function.LINEAR) {
            push(a.withName(l.name() + "/" + (v.isTextual() ? v.asText() : a.function().kerasName())));
        }
    }

    private void pool(LayerConfig l) {
        requireMap(l);
        int[] k = l.pair(new int[] {2, 2}, "pool_size");
        int[] s = l.pair(k, "strides");
        positive(l, k[0], k[1], s[0], s[1]);
        Padding p = padding(l, k, s);
        Pool2d.Kind kind = l.className().startsWith("Max") ? Pool2d.Kind.MAX : Pool2d.Kind.AVG;
        // Keras 'same' average pooling divides by the number of real (unpadded) pixels.
        push(new Pool2d(l.name(), kind, k[0], k[1], s[0], s[1], p, p.isZero(), false));
    }

    private Padding padding(LayerConfig l, int[] k, int[] s) {
        String mode = l.text("valid", "padding", "border_mode").toLowerCase(Locale.ROOT);
        return switch (mode) {
            case "valid" -> Padding.NONE;
            case "same" -> Padding.same(cur.height(), cur.width(), k[0], k[1], s[0], s[1]);
            default -> throw l.unsupported("padding '" + mode + "' is not supported (valid, same)");
        };
    }

    /** ZeroPadding2D's padding: an int, a pair (vertical, horizontal), ((top, bottom), (left, right)), 4 ints or Keras 1's dict. */
    private static Padding zeroPadding(LayerConfig l) {
        JsonNode p = l.field("padding");
        if (p == null) {
            return Padding.symmetric(1, 1);
        }
        if (p.isObject()) {
            return new Padding(p.path("top_pad").asInt(0), p.path("bottom_pad").asInt(0),
                    p.path("left_pad").asInt(0), p.path("right_pad").asInt(0));
        }
        if (p.isArray() && p.size() == 2 && p.get(0).isArray()) {
            return padding(l, p.get(0).path(0).asInt(-1), p.get(0).path(1).asInt(-1),
                    p.get(1).path(0).asInt(-1), p.get(1).path(1).asInt(-1));
        }
        if (p.isArray() && p.size() == 4) {
            return padding(l, p.get(0).asInt(-1), p.get(1).asInt(-1), p.get(2).asInt(-1), p.get(3).asInt(-1));
        }
        int[] v = l.pair(null, "padding");
        return padding(l, v[0], v[0], v[1], v[1]);
    }

    private static Padding padding(LayerConfig l, int t, int b, int left, int r) {
        if (t < 0 || b < 0 || left < 0 || r < 0) {
            throw l.corrupt("bad padding " + l.field("padding"));
        }
        return new Padding(t, b, left, r);
    }

    /**
     * Keras 2.2+ and Keras 3 Flatten with {@code data_format='channels_first'} transposes to
     * channels-last before flattening, so it emits (H,W,C) order; Keras 1 and early Keras 2
     * Flatten (no data_format) flattens the tensor as it is: (C,H,W) for a channels_first model.
     */
    private void flatten(LayerConfig l) {
        if (!cur.flat() && cur.height() * cur.width() > 1) {
            String df = l.text(null, "data_format");
            if (!channelsFirst && "channels_first".equals(df)) {
                throw l.unsupported("Flatten(data_format='channels_first') in a channels_last model");
            }
            flattenHwc = !channelsFirst || "channels_first".equals(df);
        }
        push(new Flatten(l.name()));
    }

    private void batchNorm(LayerConfig l) {
        if (l.integer(0, "mode") != 0) {
            throw l.unsupported("Keras 1 BatchNormalization mode " + l.integer(0, "mode") + " (only mode 0)");
        }
        JsonNode axisNode = l.field("axis");
        int axis = axisNode == null ? -1 : axisNode.isArray() && axisNode.size() == 1 ? axisNode.get(0).asInt() : axisNode.asInt(Integer.MIN_VALUE);
        boolean ok = cur.flat() ? axis == -1 || axis == 1 : axis == -1 || axis == channelAxis();
        if (!ok) {
            throw l.unsupported("normalizing axis " + axisNode + " (only the channel axis is supported)");
        }
        int c = cur.channels();
        allocate(l, 4L * c);
        // neither scale nor center: gamma 1 and beta 0, as PyTorch's affine=False
        boolean affine = l.bool(true, "scale") || l.bool(true, "center");
        push(new BatchNorm(l.name(), c, l.number(1e-3, "epsilon"), Tensor.full(1f, c), Tensor.zeros(c), Tensor.zeros(c),
                Tensor.full(1f, c), affine));
        weighted.add(l);
    }

    private int channelAxis() {
        return channelsFirst ? 1 : 3;
    }

    private void requireMap(LayerConfig l) {
        if (cur.flat()) {
            throw new ArchitectureMismatchException(file, "layer '" + l.name() + "' (" + l.className()
                    + ") needs a feature map but gets a flat vector of " + cur.channels());
        }
    }

    private static void positive(LayerConfig l, int... values) {
        for (int v : values) {
            if (v <= 0) {
                throw l.corrupt("sizes must be positive, got " + v);
            }
        }
    }

    /** Counts a layer's weights against the model budget before its placeholder weights are allocated. */
    private void allocate(LayerConfig l, long elements) {
        try {
            parameters = lenet5.Budget.add(parameters, elements, lenet5.Budget.MAX_PARAMETERS, "parameters");
        } catch (lenet5.Lenet5Exception e) {
            throw l.unsupported(e.getMessage() + " (this layer alone: " + (elements == Long.MAX_VALUE ? "more than 2^31"
                    : String.format("%,d", elements)) + ")");
        }
    }
}
