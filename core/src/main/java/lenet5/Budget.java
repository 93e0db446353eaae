package lenet5;

import lenet5.layers.Conv2d;
import lenet5.layers.Dense;
import lenet5.layers.Layer;
import lenet5.layers.Pool2d;
import lenet5.tensor.Shape;

import java.nio.file.Path;
import java.util.List;

/**
 * The most work a model, or the file it came from, may ask for. A file of a few hundred bytes can
 * declare a convolution with 40 million filters, a pooling window that takes seconds per image or
 * a module tree that repeats one submodule a million times; such a model is refused, with its
 * figure and the limit, before anything is allocated or run. Every limit is far above a
 * LeNet-class model (LeNet-5: 7 layers, 61,706 parameters, at most 4,704 elements per layer,
 * about 0.85 million FLOPs per image).
 */
public final class Budget {
    /** Layers of one model. */
    public static final int MAX_LAYERS = 1_000;
    /** Modules of one module tree, containers included; a submodule that appears twice counts twice. */
    public static final int MAX_MODULES = 4 * MAX_LAYERS;
    /** Parameters of one model: 8,388,608 (32 MiB of float32). */
    public static final long MAX_PARAMETERS = 1L << 23;
    /**
     * Elements of any one layer's input or output, per image: 262,144 (e.g. 64 x 64 x 64). A
     * predictor keeps two such maps for each of {@code 32} batched images (64 MiB at the limit).
     */
    public static final long MAX_ACTIVATIONS = 1L << 18;
    /** Floating-point operations per image: 268,435,456 (a multiply-add counts two). */
    public static final long MAX_FLOPS = 1L << 28;
    /**
     * Objects walked while reading one file's structure: pickle values reached from a dict key,
     * modules of a module tree. Shared (memoized) objects count every time they are reached,
     * which is what bounds a small file that reuses one object to build an exponential tree.
     */
    public static final long MAX_OBJECTS = 1L << 20;

    private Budget() {
    }

    /**
     * Checks a whole model: layer count, parameters, the largest layer input/output and the
     * FLOPs of one image, with exact arithmetic. Called by the {@link lenet5.model.Sequential}
     * constructor, so no model beyond the budget exists.
     */
    public static void check(Shape input, List<Layer> layers, List<Shape> outputs) {
        if (layers.size() > MAX_LAYERS) {
            throw refuse(String.format("%,d", layers.size()), MAX_LAYERS, "layers");
        }
        long params = 0, flops = 0;
        activations("the input", input);
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            Shape in = i == 0 ? input : outputs.get(i - 1);
            Shape out = outputs.get(i);
            activations(Text.quote(l.name()), out);
            for (lenet5.tensor.Tensor t : l.weights()) {
                params = add(params, t.size(), MAX_PARAMETERS, "parameters");
            }
            flops = add(flops, flops(l, in, out), MAX_FLOPS, "FLOPs per image");
        }
    }

    /** {@code total + more}, refused when above {@code limit}: for builders that count before they allocate. */
    public static long add(long total, long more, long limit, String what) {
        long sum = total + more;
        if (more < 0 || sum < 0 || sum > limit) {
            throw refuse(more < 0 || sum < 0 ? "more than " + String.format("%,d", Long.MAX_VALUE) : String.format("%,d", sum),
                    limit, what);
        }
        return sum;
    }

    /**
     * Refuses to hold {@code bytes} in memory when that is more than half of this JVM's maximum
     * heap: the limit for data whose size is legitimately unbounded (input images, a weights
     * entry to inflate), where a fixed figure would refuse large honest inputs. The message names
     * {@code count} {@code items} ("60,000 images of 28x28"); it is formatted only when refusing, as
     * {@code String.format} costs a small command's start-up tens of milliseconds of locale data.
     */
    public static void memory(Path file, long count, String items, long bytes) {
        long heap = Runtime.getRuntime().maxMemory();
        if (bytes < 0 || bytes > heap / 2) {
            throw new UnsupportedFormatException(file, String.format("%,d %s needs %,d MiB, more than half of this JVM's maximum heap "
                    + "(%,d MiB); run with a larger -Xmx", count, items, (bytes < 0 ? Long.MAX_VALUE : bytes) >> 20, heap >> 20));
        }
    }

    private static void activations(String where, Shape s) {
        long n = (long) s.channels() * s.height() * s.width();
        if (n > MAX_ACTIVATIONS) {
            throw new UnsupportedFormatException(String.format("%s has %,d elements per image (%s), over the budget of %,d",
                    where, n, s, MAX_ACTIVATIONS));
        }
    }

    /** Multiply-adds count two; pooling, padding and activations one per window element or output element. */
    private static long flops(Layer l, Shape in, Shape out) {
        long outputs = (long) out.channels() * out.height() * out.width();
        try {
            if (l instanceof Conv2d c) {
                return Math.multiplyExact(2L * outputs, Math.multiplyExact((long) c.inChannels() * c.kernelH(), c.kernelW()));
            }
            if (l instanceof Dense d) {
                return 2L * d.inFeatures() * d.outFeatures();
            }
            if (l instanceof Pool2d p) {
                return Math.multiplyExact(outputs, (long) p.kernelH() * p.kernelW());
            }
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
        return Math.max(outputs, (long) in.channels() * in.height() * in.width());
    }

    private static UnsupportedFormatException refuse(String amount, long limit, String what) {
        return new UnsupportedFormatException(String.format("the model needs %s %s, over the budget of %,d", amount, what, limit));
    }
}
