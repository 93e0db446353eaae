package lenet5.layers;

import lenet5.ArchitectureMismatchException;
import lenet5.tensor.Shape;
import lenet5.tensor.Tensor;

import java.util.List;

/**
 * 2-D convolution (cross-correlation, as in PyTorch and Keras) with zero padding.
 *
 * @param weight {@code (out, in, kh, kw)}
 * @param bias   {@code (out)}, or {@code null} for {@code bias=False}
 */
public record Conv2d(String name, int inChannels, int outChannels, int kernelH, int kernelW,
                     int strideH, int strideW, Padding padding, Tensor weight, Tensor bias) implements Layer {
    public Conv2d {
        if (inChannels <= 0 || outChannels <= 0 || kernelH <= 0 || kernelW <= 0 || strideH <= 0 || strideW <= 0) {
            throw new ArchitectureMismatchException(name + ": channels, kernel and stride must be positive");
        }
        Layers.checkShape(name, "weight", weight, outChannels, inChannels, kernelH, kernelW);
        if (bias != null) {
            Layers.checkShape(name, "bias", bias, outChannels);
        }
    }

    /** A convolution with zero weights, for architectures whose weights are bound later. */
    public static Conv2d of(String name, int in, int out, int kh, int kw, int sh, int sw, Padding padding, boolean bias) {
        return new Conv2d(name, in, out, kh, kw, sh, sw, padding, Tensor.zeros(out, in, kh, kw),
                bias ? Tensor.zeros(out) : null);
    }

    @Override
    public Shape outputShape(Shape in) {
        if (in.flat() || in.channels() != inChannels) {
            throw new ArchitectureMismatchException(name + ": Conv2d expects " + inChannels + " input channels, got input " + in);
        }
        int oh = Layers.windows(name, Layers.padded(in.height(), padding.top(), padding.bottom()), kernelH, strideH, false);
        int ow = Layers.windows(name, Layers.padded(in.width(), padding.left(), padding.right()), kernelW, strideW, false);
        return Shape.chw(outChannels, oh, ow);
    }

    @Override
    public List<Tensor> weights() {
        return bias == null ? List.of(weight) : List.of(weight, bias);
    }

    @Override
    public Conv2d withWeights(List<Tensor> w) {
        Layers.checkCount(name, w, weights().size());
        return new Conv2d(name, inChannels, outChannels, kernelH, kernelW, strideH, strideW, padding,
                w.get(0), bias == null ? null : w.get(1));
    }

    @Override
    public Conv2d withName(String newName) {
        return new Conv2d(newName, inChannels, outChannels, kernelH, kernelW, strideH, strideW, padding, weight, bias);
    }

    @Override
    public String describe() {
        return "Conv2d(" + inChannels + "->" + outChannels + ", kernel " + kernelH + "x" + kernelW
                + ", stride " + strideH + "x" + strideW + ", padding " + padding + (bias == null ? ", no bias" : "") + ")";
    }
}
