package lenet5.torch.nn;

import lenet5.UnrepresentableModelException;
import lenet5.layers.Activation;
import lenet5.layers.BatchNorm;
import lenet5.layers.Conv2d;
import lenet5.layers.Dense;
import lenet5.layers.Dropout;
import lenet5.layers.Flatten;
import lenet5.layers.Layer;
import lenet5.layers.Padding;
import lenet5.layers.Pool2d;
import lenet5.layers.ZeroPad2d;
import lenet5.model.Sequential;
import lenet5.tensor.Shape;
import lenet5.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * How a canonical model becomes a {@code torch.nn.Sequential}: one or more PyTorch modules per
 * layer, each with its constructor text and its tensors under PyTorch's names. Where PyTorch has
 * no direct equivalent, modules are inserted (a ZeroPad2d before a convolution with asymmetric
 * padding, a Flatten before a Linear that receives a 1x1 map), so state_dict indices follow this
 * list, not the canonical layer indices. What PyTorch cannot express at all is refused with the
 * reason.
 */
public final class TorchExport {
    /** One PyTorch module: its constructor text and tensors ({@code weight}, {@code bias}, ...) in state_dict order. */
    public record Module(String text, List<Param> params, boolean batchNorm) {
    }

    /** A named float tensor of a module. */
    public record Param(String name, Tensor value) {
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

    private static void add(List<Module> out, Layer layer, Shape in) {
        if (layer instanceof Conv2d c) {
            Padding p = c.padding();
            if (!p.isSymmetric()) {
                out.add(plain(zeroPad(p)));
                p = Padding.NONE;
            }
            String text = "torch.nn.Conv2d(" + c.inChannels() + ", " + c.outChannels() + ", kernel_size=" + pair(c.kernelH(), c.kernelW())
                    + ", stride=" + pair(c.strideH(), c.strideW()) + ", padding=" + pair(p.top(), p.left())
                    + (c.bias() == null ? ", bias=False" : "") + ")";
            out.add(weighted(text, c.weight(), c.bias()));
        } else if (layer instanceof Dense d) {
            if (!in.flat()) {
                out.add(plain("torch.nn.Flatten()")); // a 1x1 map: PyTorch's Linear would act on the width axis
            }
            out.add(weighted("torch.nn.Linear(" + d.inFeatures() + ", " + d.outFeatures() + (d.bias() == null ? ", bias=False" : "") + ")",
                    d.weight(), d.bias()));
        } else if (layer instanceof Pool2d p) {
            pool(out, p, in);
        } else if (layer instanceof ZeroPad2d z) {
            out.add(plain(zeroPad(z.padding())));
        } else if (layer instanceof Flatten) {
            out.add(plain("torch.nn.Flatten()"));
        } else if (layer instanceof Activation a) {
            out.add(plain(switch (a.function()) {
                case RELU -> "torch.nn.ReLU()";
                case TANH -> "torch.nn.Tanh()";
                case SIGMOID -> "torch.nn.Sigmoid()";
                case SOFTMAX -> "torch.nn.Softmax(dim=1)";
                case LINEAR -> "torch.nn.Identity()";
            }));
        } else if (layer instanceof Dropout d) {
            if (!(d.rate() >= 0 && d.rate() <= 1)) {
                throw new UnrepresentableModelException(d.name() + ": dropout rate " + d.rate() + " is outside [0, 1]");
            }
            out.add(plain("torch.nn.Dropout(p=" + d.rate() + ")"));
        } else if (layer instanceof BatchNorm b) {
            if (!(b.epsilon() > 0)) {
                throw new UnrepresentableModelException(b.name() + ": BatchNorm epsilon " + b.epsilon() + " is not positive");
            }
            String kind = in.flat() ? "BatchNorm1d" : "BatchNorm2d";
            out.add(new Module("torch.nn." + kind + "(" + b.channels() + ", eps=" + b.epsilon() + ")",
                    List.of(new Param("weight", b.gamma()), new Param("bias", b.beta()), new Param("running_mean", b.mean()),
                            new Param("running_var", b.variance())), true));
        } else {
            throw new UnrepresentableModelException(layer.name() + ": " + layer.describe() + " has no PyTorch equivalent");
        }
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
                out.add(plain(zeroPad(pad))); // zeros that count in the average can be padded explicitly
            } else {
                throw new UnrepresentableModelException(p.name() + ": " + p.describe() + " pads " + pad
                        + "; PyTorch's " + (max ? "MaxPool2d" : "AvgPool2d") + " pads symmetrically by at most half the kernel"
                        + (max ? " (with -inf)" : ", and zeros that do not count in the average cannot be padded explicitly"));
            }
            pad = Padding.NONE;
        }
        StringBuilder sb = new StringBuilder("torch.nn.").append(max ? "MaxPool2d" : "AvgPool2d")
                .append("(kernel_size=").append(pair(p.kernelH(), p.kernelW()))
                .append(", stride=").append(pair(p.strideH(), p.strideW()))
                .append(", padding=").append(pair(pad.top(), pad.left()));
        if (ceil) {
            sb.append(", ceil_mode=True");
        }
        if (!max && !p.countIncludePad() && !pad.isZero()) {
            sb.append(", count_include_pad=False");
        }
        out.add(plain(sb.append(")").toString()));
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

    private static String zeroPad(Padding p) {
        return "torch.nn.ZeroPad2d((" + p.left() + ", " + p.right() + ", " + p.top() + ", " + p.bottom() + "))";
    }

    private static Module plain(String text) {
        return new Module(text, List.of(), false);
    }

    private static Module weighted(String text, Tensor weight, Tensor bias) {
        List<Param> params = new ArrayList<>();
        params.add(new Param("weight", weight));
        if (bias != null) {
            params.add(new Param("bias", bias));
        }
        return new Module(text, params, false);
    }

    private static String pair(int a, int b) {
        return "(" + a + ", " + b + ")";
    }
}
