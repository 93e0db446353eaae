package lenet5.torch.nn;

import lenet5.UnrepresentableModelException;
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
import lenet5.model.Sequential;
import lenet5.tensor.Shape;
import lenet5.tensor.Tensor;
import lenet5.torch.pickle.PyNone;
import lenet5.torch.pickle.PyTuple;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a canonical model becomes a {@code torch.nn.Sequential}: one or more PyTorch modules per
 * layer, each with its constructor text and its tensors under PyTorch's names. Where PyTorch has
 * no direct equivalent, modules are inserted (a ZeroPad2d before a convolution with asymmetric
 * padding, a Flatten before a Linear that receives a 1x1 map), so state_dict indices follow this
 * list, not the canonical layer indices. What PyTorch cannot express at all is refused with the
 * reason.
 */
public final class TorchExport {
    /**
     * One PyTorch module: its constructor text, and for pickling a full model its class and the
     * attributes its {@code __init__} sets (Python values), with its tensors in state_dict order.
     */
    public record Module(String text, String pyModule, String pyClass, Map<String, Object> attrs, List<Param> params) {
        /** BatchNorm keeps an int64 batch counter next to its tensors; state_dicts carry it. */
        public boolean batchNorm() {
            return pyClass.startsWith("BatchNorm");
        }
    }

    /**
     * A named float tensor of a module; {@code buffer} for running statistics, which are not
     * parameters. A null value is a parameter registered as None ({@code bias=False}).
     */
    public record Param(String name, Tensor value, boolean buffer) {
    }

    private TorchExport() {
    }

    public static List<Module> modules(Sequential model) {
        List<Module> out = new ArrayList<>();
        for (int i = 0; i < model.layers().size(); i++) {
            add(out, model.layers().get(i), model.inputShapeOf(i));
        }
        return out;
    }

    /**
     * One layer as constructor text without the {@code torch.nn.} prefix (e.g. for a draft
     * architecture), outside any model: a Linear or BatchNorm with {@code flatInput}, others on a map.
     */
    public static String text(Layer layer, boolean flatInput) {
        int c = layer instanceof Conv2d conv ? conv.inChannels() : layer instanceof BatchNorm b ? b.channels()
                : layer instanceof Dense d ? d.inFeatures() : 1;
        List<Module> out = new ArrayList<>();
        add(out, layer, flatInput || layer instanceof Dense ? Shape.flat(c) : Shape.chw(c, 64, 64));
        return out.stream().map(m -> m.text().replace("torch.nn.", "")).collect(java.util.stream.Collectors.joining(", "));
    }

    private static void add(List<Module> out, Layer layer, Shape in) {
        if (layer instanceof Conv2d c) {
            Padding p = c.padding();
            if (!p.isSymmetric()) {
                out.add(zeroPad(p));
                p = Padding.NONE;
            }
            String text = "torch.nn.Conv2d(" + c.inChannels() + ", " + c.outChannels() + ", kernel_size=" + pair(c.kernelH(), c.kernelW())
                    + ", stride=" + pair(c.strideH(), c.strideW()) + ", padding=" + pair(p.top(), p.left())
                    + (c.bias() == null ? ", bias=False" : "") + ")";
            out.add(new Module(text, "torch.nn.modules.conv", "Conv2d", attrs("in_channels", c.inChannels(), "out_channels", c.outChannels(),
                    "kernel_size", tuple(c.kernelH(), c.kernelW()), "stride", tuple(c.strideH(), c.strideW()), "padding", tuple(p.top(), p.left()),
                    "dilation", tuple(1, 1), "transposed", false, "output_padding", tuple(0, 0), "groups", 1, "padding_mode", "zeros",
                    "_reversed_padding_repeated_twice", tuple(p.left(), p.left(), p.top(), p.top())), weights(c.weight(), c.bias())));
        } else if (layer instanceof Dense d) {
            if (!in.flat()) {
                out.add(flatten()); // a 1x1 map: PyTorch's Linear would act on the width axis
            }
            out.add(new Module("torch.nn.Linear(" + d.inFeatures() + ", " + d.outFeatures() + (d.bias() == null ? ", bias=False" : "") + ")",
                    "torch.nn.modules.linear", "Linear", attrs("in_features", d.inFeatures(), "out_features", d.outFeatures()),
                    weights(d.weight(), d.bias())));
        } else if (layer instanceof Pool2d p) {
            pool(out, p, in);
        } else if (layer instanceof ZeroPad2d z) {
            out.add(zeroPad(z.padding()));
        } else if (layer instanceof Flatten) {
            out.add(flatten());
        } else if (layer instanceof Activation a) {
            out.add(activation(a));
        } else if (layer instanceof AdaptivePool2d p) {
            boolean max = p.kind() == Pool2d.Kind.MAX;
            Map<String, Object> attrs = attrs("output_size", tuple(p.outH(), p.outW()));
            if (max) {
                attrs.put("return_indices", false);
            }
            out.add(plain("pooling", max ? "AdaptiveMaxPool2d" : "AdaptiveAvgPool2d", pair(p.outH(), p.outW()), attrs));
        } else if (layer instanceof Rescaling r) {
            // BatchNorm with eps 0, mean 0 and variance 1 computes exactly x * weight + bias.
            int c = in.channels();
            out.add(batchNorm(in, c, 0, Tensor.full(r.scale(), c), Tensor.full(r.offset(), c), Tensor.zeros(c), Tensor.full(1f, c)));
        } else if (layer instanceof Dropout d) {
            if (!(d.rate() >= 0 && d.rate() <= 1)) {
                throw new UnrepresentableModelException(d.name() + ": dropout rate " + d.rate() + " is outside [0, 1]");
            }
            out.add(plain("dropout", "Dropout", "p=" + d.rate(), attrs("p", d.rate(), "inplace", false)));
        } else if (layer instanceof BatchNorm b) {
            if (!(b.epsilon() >= 0)) {
                throw new UnrepresentableModelException(b.name() + ": BatchNorm epsilon " + b.epsilon() + " is negative");
            }
            out.add(b.affine() ? batchNorm(in, b.channels(), b.epsilon(), b.gamma(), b.beta(), b.mean(), b.variance())
                    : batchNormWithoutAffine(in, b.channels(), b.epsilon(), b.mean(), b.variance()));
        } else {
            throw new UnrepresentableModelException(layer.name() + ": " + layer.describe() + " has no PyTorch equivalent");
        }
    }

    private static Module activation(Activation a) {
        return switch (a.function()) {
            case RELU -> plain("activation", "ReLU", "", attrs("inplace", false));
            case TANH -> plain("activation", "Tanh", "", attrs());
            case SIGMOID -> plain("activation", "Sigmoid", "", attrs());
            case SOFTMAX -> plain("activation", "Softmax", "dim=1", attrs("dim", 1));
            case LOG_SOFTMAX -> plain("activation", "LogSoftmax", "dim=1", attrs("dim", 1));
            case LINEAR -> plain("linear", "Identity", "", attrs());
            case LEAKY_RELU -> plain("activation", "LeakyReLU", "negative_slope=" + a.a(), attrs("negative_slope", a.a(), "inplace", false));
            case ELU -> plain("activation", "ELU", "alpha=" + a.a(), attrs("alpha", a.a(), "inplace", false));
            case HARDTANH -> a.a() == 0 && a.b() == 6
                    ? plain("activation", "ReLU6", "", attrs("min_val", 0.0, "max_val", 6.0, "inplace", false))
                    : plain("activation", "Hardtanh", "min_val=" + a.a() + ", max_val=" + a.b(),
                            attrs("min_val", a.a(), "max_val", a.b(), "inplace", false));
            case SILU -> plain("activation", "SiLU", "", attrs("inplace", false));
            case GELU -> plain("activation", "GELU", "", attrs("approximate", "none"));
            case GELU_TANH -> plain("activation", "GELU", "approximate='tanh'", attrs("approximate", "tanh"));
            case SOFTPLUS -> plain("activation", "Softplus", "beta=" + a.a() + ", threshold=" + a.b(),
                    attrs("beta", a.a(), "threshold", a.b()));
            case SOFTSIGN -> plain("activation", "Softsign", "", attrs());
            case HARD_SIGMOID -> {
                if (Math.abs(a.a() - 1.0 / 6) > 1e-12) {
                    throw new UnrepresentableModelException(a.name() + ": " + a.describe()
                            + " (Keras 2's hard_sigmoid) has no PyTorch equivalent; PyTorch's Hardsigmoid has slope 1/6");
                }
                yield plain("activation", "Hardsigmoid", "", attrs("inplace", false));
            }
        };
    }

    /** BatchNorm1d after flat features, BatchNorm2d on a map. */
    private static Module batchNorm(Shape in, int channels, double eps, Tensor gamma, Tensor beta, Tensor mean, Tensor var) {
        String kind = in.flat() ? "BatchNorm1d" : "BatchNorm2d";
        return new Module("torch.nn." + kind + "(" + channels + ", eps=" + eps + ")", "torch.nn.modules.batchnorm", kind,
                attrs("num_features", channels, "eps", eps, "momentum", 0.1, "affine", true, "track_running_stats", true),
                List.of(new Param("weight", gamma, false), new Param("bias", beta, false),
                        new Param("running_mean", mean, true), new Param("running_var", var, true)));
    }

    /** {@code affine=False}: weight and bias registered as None, only the running statistics stored. */
    private static Module batchNormWithoutAffine(Shape in, int channels, double eps, Tensor mean, Tensor var) {
        String kind = in.flat() ? "BatchNorm1d" : "BatchNorm2d";
        return new Module("torch.nn." + kind + "(" + channels + ", eps=" + eps + ", affine=False)", "torch.nn.modules.batchnorm", kind,
                attrs("num_features", channels, "eps", eps, "momentum", 0.1, "affine", false, "track_running_stats", true),
                List.of(new Param("weight", null, false), new Param("bias", null, false),
                        new Param("running_mean", mean, true), new Param("running_var", var, true)));
    }

    private static void pool(List<Module> out, Pool2d p, Shape in) {
        boolean max = p.kind() == Pool2d.Kind.MAX;
        Padding pad = p.padding();
        boolean ceil = p.ceilMode();
        boolean fits = pad.isSymmetric() && 2 * pad.top() <= p.kernelH() && 2 * pad.left() <= p.kernelW();
        if (!fits) {
            if (pad.top() == 0 && pad.left() == 0 && !ceil && (max || !p.countIncludePad()) && ceilEquivalent(p, in)) {
                // Padding only at the bottom/right whose zeros never count (TF 'same'): PyTorch's ceil_mode
                // clips the last window to the input, which is the same computation.
                ceil = true;
            } else if (!max && p.countIncludePad() && !ceil) {
                out.add(zeroPad(pad)); // zeros that count in the average can be padded explicitly
            } else {
                throw new UnrepresentableModelException(p.name() + ": " + p.describe() + " pads " + pad
                        + "; PyTorch's " + (max ? "MaxPool2d" : "AvgPool2d") + " pads symmetrically by at most half the kernel"
                        + (max ? " (with -inf)" : ", and zeros that do not count in the average cannot be padded explicitly"));
            }
            pad = Padding.NONE;
        }
        boolean countPad = max || p.countIncludePad() || pad.isZero();
        String args = "kernel_size=" + pair(p.kernelH(), p.kernelW()) + ", stride=" + pair(p.strideH(), p.strideW())
                + ", padding=" + pair(pad.top(), pad.left()) + (ceil ? ", ceil_mode=True" : "") + (countPad ? "" : ", count_include_pad=False");
        Map<String, Object> attrs = attrs("kernel_size", tuple(p.kernelH(), p.kernelW()), "stride", tuple(p.strideH(), p.strideW()),
                "padding", tuple(pad.top(), pad.left()));
        if (max) {
            attrs.putAll(attrs("dilation", 1, "return_indices", false, "ceil_mode", ceil));
        } else {
            attrs.putAll(attrs("ceil_mode", ceil, "count_include_pad", countPad, "divisor_override", PyNone.NONE));
        }
        out.add(plain("pooling", max ? "MaxPool2d" : "AvgPool2d", args, attrs));
    }

    /** Whether ceil_mode without padding gives the same windows as the explicit bottom/right padding, on both axes. */
    private static boolean ceilEquivalent(Pool2d p, Shape in) {
        return !in.flat() && sameWindows(in.height(), p.kernelH(), p.strideH(), p.padding().bottom())
                && sameWindows(in.width(), p.kernelW(), p.strideW(), p.padding().right());
    }

    private static boolean sameWindows(int size, int k, int s, int extra) {
        if (size < k) {
            return false;
        }
        int padded = (size + extra - k) / s + 1;
        int ceil = -Math.floorDiv(-(size - k), s) + 1;
        if ((ceil - 1) * s >= size) {
            ceil--;
        }
        return padded == ceil;
    }

    private static Module zeroPad(Padding p) {
        return plain("padding", "ZeroPad2d", "(" + p.left() + ", " + p.right() + ", " + p.top() + ", " + p.bottom() + ")",
                attrs("padding", tuple(p.left(), p.right(), p.top(), p.bottom()), "value", 0.0));
    }

    private static Module flatten() {
        return plain("flatten", "Flatten", "", attrs("start_dim", 1, "end_dim", -1));
    }

    /** A module without tensors, written {@code torch.nn.<cls>(<args>)}. */
    private static Module plain(String pyModule, String cls, String args, Map<String, Object> attrs) {
        return new Module("torch.nn." + cls + "(" + args + ")", "torch.nn.modules." + pyModule, cls, attrs, List.of());
    }

    private static List<Param> weights(Tensor weight, Tensor bias) {
        return List.of(new Param("weight", weight, false), new Param("bias", bias, false));
    }

    /** Attributes from name/value pairs; ints become Python ints (Long). */
    private static Map<String, Object> attrs(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1] instanceof Integer n ? (Object) (long) n : kv[i + 1]);
        }
        return m;
    }

    private static PyTuple tuple(int... v) {
        List<Object> items = new ArrayList<>();
        for (int x : v) {
            items.add((long) x);
        }
        return new PyTuple(items);
    }

    private static String pair(int a, int b) {
        return "(" + a + ", " + b + ")";
    }
}
