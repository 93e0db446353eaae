package lenet5.torch.nn;

import lenet5.ArchitectureMismatchException;
import lenet5.UnsupportedFormatException;
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
import lenet5.layers.ZeroPad2d;
import lenet5.tensor.Tensor;
import lenet5.torch.pickle.PyNone;
import lenet5.torch.storage.TensorRef;

import java.util.List;
import java.util.Set;

/**
 * Turns one leaf {@code torch.nn} module into a canonical layer with zero weights, reading the
 * hyperparameters PyTorch keeps on the module ({@code kernel_size}, {@code stride},
 * {@code padding}, ...) and, where they are not recorded (traced TorchScript), the shapes of its
 * tensors. Options the engine cannot compute (dilation, groups, non-zero padding modes, ...) are
 * refused by name.
 */
public final class LayerFactory {
    /** The leaf module types this reader understands. */
    public static final Set<String> SUPPORTED = Set.of("Conv2d", "Linear", "AvgPool2d", "MaxPool2d", "AdaptiveAvgPool2d",
            "AdaptiveMaxPool2d", "Tanh", "ReLU", "Sigmoid", "Softmax", "Softmax2d", "LogSoftmax", "LeakyReLU", "ELU", "ReLU6",
            "Hardtanh", "SiLU", "GELU", "Softplus", "Softsign", "Hardsigmoid", "Flatten", "Dropout", "Dropout1d", "Dropout2d",
            "AlphaDropout", "ZeroPad2d", "ConstantPad2d", "BatchNorm2d", "BatchNorm1d", "Identity");

    /** What the input of a layer must look like in PyTorch (Linear acts on the last axis, so it needs a flat input). */
    public enum Needs { ANY, MAP, FLAT }

    /**
     * A layer and how it meets its module's tensors.
     *
     * @param tensorNames the module's tensor names in {@link Layer#weights()} order; null where the layer's own
     *                    tensor stands for one the module does not have (BatchNorm affine=False: weight 1, bias 0)
     * @param softmaxDim  for Softmax: the {@code dim} argument (null when implicit), checked once shapes are known
     */
    public record Built(TorchModule module, Layer layer, List<String> tensorNames, Needs needs, Integer softmaxDim) {
    }

    private LayerFactory() {
    }

    public static Built build(TorchModule m) {
        if (!m.standard()) {
            throw new UnsupportedFormatException(m.label() + ": " + m.className()
                    + " is not a torch.nn layer; its forward() is unknown to this reader");
        }
        Attrs a = new Attrs(m);
        String name = m.path();
        return switch (m.type()) {
            case "Conv2d" -> conv(m, a);
            case "Linear" -> linear(m, a);
            case "AvgPool2d", "MaxPool2d" -> pool(m, a);
            case "Tanh" -> simple(m, new Activation(name, Activation.Function.TANH));
            case "ReLU" -> simple(m, new Activation(name, Activation.Function.RELU));
            case "Sigmoid" -> simple(m, new Activation(name, Activation.Function.SIGMOID));
            case "Identity" -> simple(m, new Activation(name, Activation.Function.LINEAR));
            case "Softmax" -> new Built(m, new Activation(name, Activation.Function.SOFTMAX), List.of(), Needs.ANY,
                    a.has("dim") ? a.integer("dim", 1) : null);
            case "Softmax2d" -> new Built(m, new Activation(name, Activation.Function.SOFTMAX), List.of(), Needs.MAP, 1);
            case "LogSoftmax" -> new Built(m, new Activation(name, Activation.Function.LOG_SOFTMAX), List.of(), Needs.ANY,
                    a.has("dim") ? a.integer("dim", 1) : null);
            case "LeakyReLU" -> simple(m, new Activation(name, Activation.Function.LEAKY_RELU, a.number("negative_slope", 0.01), 0));
            case "ELU" -> simple(m, new Activation(name, Activation.Function.ELU, a.number("alpha", 1), 0));
            case "ReLU6" -> simple(m, new Activation(name, Activation.Function.HARDTANH, 0, 6));
            case "Hardtanh" -> simple(m, new Activation(name, Activation.Function.HARDTANH, a.number("min_val", -1), a.number("max_val", 1)));
            case "SiLU" -> simple(m, new Activation(name, Activation.Function.SILU));
            case "GELU" -> simple(m, gelu(a, name));
            case "Softplus" -> simple(m, new Activation(name, Activation.Function.SOFTPLUS, a.number("beta", 1), a.number("threshold", 20)));
            case "Softsign" -> simple(m, new Activation(name, Activation.Function.SOFTSIGN));
            case "Hardsigmoid" -> simple(m, new Activation(name, Activation.Function.HARD_SIGMOID));
            case "AdaptiveAvgPool2d", "AdaptiveMaxPool2d" -> adaptivePool(m, a);
            case "Flatten" -> {
                int start = a.integer("start_dim", 1);
                int end = a.integer("end_dim", -1);
                if (start != 1 || end != -1) {
                    throw a.unsupported("with start_dim=" + start + ", end_dim=" + end + " (only Flatten(1, -1))");
                }
                yield simple(m, new Flatten(name));
            }
            case "Dropout", "Dropout1d", "Dropout2d", "AlphaDropout" -> simple(m, new Dropout(name, a.number("p", 0.5)));
            case "ZeroPad2d", "ConstantPad2d" -> pad(m, a);
            case "BatchNorm2d", "BatchNorm1d" -> batchNorm(m, a);
            default -> throw new UnsupportedFormatException(m.label() + ": layer " + m.className()
                    + " is not supported; supported layers: " + String.join(", ", new java.util.TreeSet<>(SUPPORTED)));
        };
    }

    private static Built simple(TorchModule m, Layer layer) {
        return new Built(m, layer, List.of(), Needs.ANY, null);
    }

    private static Built conv(TorchModule m, Attrs a) {
        int[] w = shape(m, "weight", 4);
        int in = a.integer("in_channels", w == null ? -1 : w[1]);
        int out = a.integer("out_channels", w == null ? -1 : w[0]);
        int[] k = a.require("kernel_size", 2, w == null ? null : new int[] {w[2], w[3]});
        if (in <= 0 || out <= 0) {
            throw new ArchitectureMismatchException(m.label() + ": Conv2d needs in_channels and out_channels");
        }
        int[] stride = a.ints("stride", 2, new int[] {1, 1});
        int[] dilation = a.ints("dilation", 2, new int[] {1, 1});
        if (dilation[0] != 1 || dilation[1] != 1) {
            throw a.unsupported("with dilation (" + dilation[0] + ", " + dilation[1] + ")");
        }
        if (a.integer("groups", 1) != 1) {
            throw a.unsupported("with groups=" + a.integer("groups", 1));
        }
        String mode = a.string("padding_mode");
        if (mode != null && !mode.equals("zeros")) {
            throw a.unsupported("with padding_mode='" + mode + "'");
        }
        if (a.bool("transposed", false)) {
            throw a.unsupported("transposed (ConvTranspose2d)");
        }
        Padding padding;
        String p = a.string("padding");
        if ("valid".equals(p)) {
            padding = Padding.NONE;
        } else if ("same".equals(p)) {
            if (stride[0] != 1 || stride[1] != 1) {
                throw a.bad("padding", "numeric when stride is not 1", "same");
            }
            // PyTorch's 'same': total k-1, the extra pixel at the bottom/right.
            padding = new Padding((k[0] - 1) / 2, k[0] - 1 - (k[0] - 1) / 2, (k[1] - 1) / 2, k[1] - 1 - (k[1] - 1) / 2);
        } else if (p != null) {
            throw a.bad("padding", "an int, a pair, 'same' or 'valid'", p);
        } else {
            int[] pad = a.ints("padding", 2, new int[] {0, 0});
            padding = Padding.symmetric(pad[0], pad[1]);
        }
        boolean bias = hasBias(m, a);
        Conv2d layer = Conv2d.of(m.path(), in, out, k[0], k[1], stride[0], stride[1], padding, bias);
        return new Built(m, layer, bias ? List.of("weight", "bias") : List.of("weight"), Needs.MAP, null);
    }

    private static Built linear(TorchModule m, Attrs a) {
        int[] w = shape(m, "weight", 2);
        int in = a.integer("in_features", w == null ? -1 : w[1]);
        int out = a.integer("out_features", w == null ? -1 : w[0]);
        if (in <= 0 || out <= 0) {
            throw new ArchitectureMismatchException(m.label() + ": Linear needs in_features and out_features");
        }
        boolean bias = hasBias(m, a);
        return new Built(m, Dense.of(m.path(), in, out, bias), bias ? List.of("weight", "bias") : List.of("weight"), Needs.FLAT, null);
    }

    private static Built pool(TorchModule m, Attrs a) {
        boolean max = m.type().equals("MaxPool2d");
        int[] k = a.require("kernel_size", 2, null);
        int[] s = a.ints("stride", 2, k);
        int[] p = a.ints("padding", 2, new int[] {0, 0});
        boolean ceil = a.bool("ceil_mode", false);
        boolean countPad = true;
        if (max) {
            int[] d = a.ints("dilation", 2, new int[] {1, 1});
            if (d[0] != 1 || d[1] != 1) {
                throw a.unsupported("with dilation (" + d[0] + ", " + d[1] + ")");
            }
            if (a.bool("return_indices", false)) {
                throw a.unsupported("with return_indices=True");
            }
        } else {
            countPad = a.bool("count_include_pad", true);
            if (a.has("divisor_override")) {
                throw a.unsupported("with divisor_override");
            }
        }
        Pool2d layer = new Pool2d(m.path(), max ? Pool2d.Kind.MAX : Pool2d.Kind.AVG, k[0], k[1], s[0], s[1],
                Padding.symmetric(p[0], p[1]), countPad, ceil);
        return new Built(m, layer, List.of(), Needs.MAP, null);
    }

    private static Activation gelu(Attrs a, String name) {
        String approximate = a.string("approximate");
        if (approximate == null || approximate.equals("none")) {
            return new Activation(name, Activation.Function.GELU);
        }
        if (approximate.equals("tanh")) {
            return new Activation(name, Activation.Function.GELU_TANH);
        }
        throw a.bad("approximate", "'none' or 'tanh'", approximate);
    }

    private static Built adaptivePool(TorchModule m, Attrs a) {
        boolean max = m.type().equals("AdaptiveMaxPool2d");
        if (max && a.bool("return_indices", false)) {
            throw a.unsupported("with return_indices=True");
        }
        Object size = a.raw("output_size");
        if (size instanceof lenet5.torch.pickle.PyTuple t && t.items().contains(PyNone.NONE)) {
            throw a.unsupported("with output_size " + lenet5.torch.pickle.Py.describe(size) + " (None keeps an input size; give both sizes)");
        }
        int[] out = a.require("output_size", 2, null);
        return new Built(m, new AdaptivePool2d(m.path(), max ? Pool2d.Kind.MAX : Pool2d.Kind.AVG, out[0], out[1]), List.of(),
                Needs.MAP, null);
    }

    private static Built pad(TorchModule m, Attrs a) {
        String mode = a.string("mode");
        if (mode != null && !mode.equals("constant")) {
            throw a.unsupported("with mode='" + mode + "' (only zero padding)");
        }
        if (a.has("value") && a.number("value", 0) != 0) {
            throw a.unsupported("with value=" + a.number("value", 0) + " (only zero padding)");
        }
        int[] p = a.require("padding", 4, null); // (left, right, top, bottom)
        return new Built(m, new ZeroPad2d(m.path(), new Padding(p[2], p[3], p[0], p[1])), List.of(), Needs.MAP, null);
    }

    private static Built batchNorm(TorchModule m, Attrs a) {
        int[] w = shape(m, "running_mean", 1);
        int c = a.integer("num_features", w == null ? -1 : w[0]);
        if (c <= 0) {
            throw new ArchitectureMismatchException(m.label() + ": " + m.type() + " needs num_features");
        }
        // affine=False registers weight and bias as None: the pickle says so, TorchScript and
        // traced files just have no weight tensor. It computes what weight 1 and bias 0 compute.
        boolean affine = a.bool("affine", true) && (m.tensors().isEmpty() || m.tensors().containsKey("weight"));
        if (!a.bool("track_running_stats", true)) {
            throw a.unsupported("with track_running_stats=False");
        }
        double eps = a.number("eps", 1e-5);
        Needs needs = m.type().equals("BatchNorm2d") ? Needs.MAP : Needs.FLAT;
        if (!affine) {
            return new Built(m, BatchNorm.withoutAffine(m.path(), c, eps, Tensor.zeros(c), Tensor.zeros(c)),
                    java.util.Arrays.asList(null, null, "running_mean", "running_var"), needs, null);
        }
        BatchNorm layer = new BatchNorm(m.path(), c, eps, Tensor.zeros(c), Tensor.zeros(c), Tensor.zeros(c), Tensor.zeros(c));
        return new Built(m, layer, List.of("weight", "bias", "running_mean", "running_var"), needs, null);
    }

    /** {@code bias=True/False} from constructor text, otherwise whether the module has a bias tensor. */
    private static boolean hasBias(TorchModule m, Attrs a) {
        Object b = a.raw("bias");
        return b instanceof Boolean bool ? bool : m.tensors().containsKey("bias");
    }

    private static int[] shape(TorchModule m, String tensor, int rank) {
        TensorRef t = m.tensors().get(tensor);
        if (t == null) {
            return null;
        }
        if (t.rank() != rank) {
            throw new ArchitectureMismatchException(m.label() + ": " + m.type() + " " + tensor + " has shape "
                    + java.util.Arrays.toString(t.shape()) + ", expected " + rank + " dimensions");
        }
        return t.shape();
    }
}
