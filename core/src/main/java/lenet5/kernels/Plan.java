package lenet5.kernels;

import lenet5.layers.Activation;
import lenet5.layers.AdaptivePool2d;
import lenet5.layers.BatchNorm;
import lenet5.layers.Conv2d;
import lenet5.layers.Dense;
import lenet5.layers.Dropout;
import lenet5.layers.Flatten;
import lenet5.layers.Layer;
import lenet5.layers.Pool2d;
import lenet5.layers.Rescaling;
import lenet5.layers.ZeroPad2d;
import lenet5.layout.Layout;
import lenet5.model.KernelChoice;
import lenet5.model.Sequential;
import lenet5.tensor.Shape;

import java.util.ArrayList;
import java.util.List;

/**
 * A model compiled for execution: {@link Step}s with weights packed the way the kernels want
 * them. Immutable; one plan serves any number of threads, each with its own {@link Workspace}.
 * <p>
 * Images run in chunks of {@link #LANES} with the images innermost ({@code [C][H][W][image]}),
 * so every kernel works on whole vectors of images; a batch too small for that runs image by
 * image, vectorized along output rows. Every lane is computed independently, so an image's result
 * does not depend on which chunk or lane it lands in. Layers that do nothing at inference
 * (Flatten, Dropout) compile to no step: {@code [C][H][W]} is already Flatten's order.
 */
public final class Plan {
    /** Images per chunk in batched mode: two 512-bit vectors. */
    public static final int LANES = 32;
    /**
     * Fewer images than this left over run one at a time: below it a chunk with empty lanes
     * costs more than the per-image path (measured with the Vector API: one image alone about
     * 22 us, a chunk of 32 about 340 us).
     */
    static final int MIN_CHUNK = 16;

    private final Sequential model;
    private final Kernels kernels;
    /** An array, not a list: its iterator is not always scalar-replaced, and a batch must allocate nothing. */
    private final Step[] steps;
    private final int inSize, outSize, maxSize, convScratch, tileLanes, runLanes, tileSize, gemvOut;

    private Plan(Sequential model, Kernels kernels, List<Step> steps) {
        this.model = model;
        this.kernels = kernels;
        this.steps = steps.toArray(new Step[0]);
        this.inSize = model.inputShape().size();
        this.outSize = model.outputShape().size();
        int m = inSize, cs = 0, tl = LANES, rl = 0, ts = 0, g = 0;
        for (Step s : steps) {
            m = Math.max(m, Math.max(s.in.size(), s.out.size()));
            cs = Math.max(cs, s.convScratch());
            tl = Math.max(tl, s.tileLanes());
            rl = Math.max(rl, s.runLanes());
            ts = Math.max(ts, s.tileSize());
            g = Math.max(g, s.gemvOut());
        }
        this.maxSize = m;
        this.convScratch = cs;
        this.tileLanes = tl;
        this.runLanes = rl;
        this.tileSize = ts;
        this.gemvOut = g;
    }

    /** The fused plan with the chosen kernels. */
    public static Plan compile(Sequential model, KernelChoice choice) {
        return compile(model, choice == KernelChoice.SCALAR ? Kernels.scalar() : Kernels.best(), true);
    }

    /** A plan with a step per computing layer, for {@link #activations}. */
    public static Plan compileUnfused(Sequential model) {
        return compile(model, Kernels.best(), false);
    }

    /**
     * With {@code fuse}, an activation and a following non-overlapping pool run inside the
     * convolution or dense step before them; without, every layer that computes something has a
     * step of its own (to record each layer's output).
     */
    static Plan compile(Sequential model, Kernels kernels, boolean fuse) {
        List<Step> steps = new ArrayList<>();
        List<Layer> layers = model.layers();
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            Shape in = model.inputShapeOf(i);
            Shape out = model.outputShapes().get(i);
            if (layer instanceof Conv2d c) {
                if (!c.padding().isZero()) {
                    PadStep pad = new PadStep(c.padding(), in, -1);
                    steps.add(pad);
                    in = pad.out;
                }
                Activation.Function act = Activation.Function.LINEAR;
                if (fuse && fusableActivation(layers, i + 1)) {
                    act = ((Activation) layers.get(++i)).function();
                }
                PoolStep pool = null;
                if (fuse && i + 1 < layers.size() && layers.get(i + 1) instanceof Pool2d p
                        && Step.kernelAct(act) != Kernels.ACT_NONE == (act != Activation.Function.LINEAR)
                        && PoolStep.fusable(p, out, model.outputShapes().get(i + 1))) {
                    pool = new PoolStep(p, out, model.outputShapes().get(i + 1), i + 1);
                    i++;
                }
                if (c.kernelH() == in.height() && c.kernelW() == in.width() && pool == null) {
                    // The kernel covers the whole input: a dense layer over the (C,H,W)-ordered map.
                    steps.add(new DenseStep(c.weight().data(), c.bias() == null ? null : c.bias().data(), in, out, act, i, kernels));
                } else {
                    steps.add(new ConvStep(c, in, out, act, pool, i, kernels));
                }
            } else if (layer instanceof Dense d) {
                Activation.Function act = Activation.Function.LINEAR;
                if (fuse && fusableActivation(layers, i + 1)) {
                    act = ((Activation) layers.get(++i)).function();
                }
                steps.add(new DenseStep(d.weight().data(), d.bias() == null ? null : d.bias().data(), in, out, act, i, kernels));
            } else if (layer instanceof Pool2d p) {
                steps.add(new PoolStep(p, in, out, i));
            } else if (layer instanceof ZeroPad2d z) {
                steps.add(new PadStep(z.padding(), in, i));
            } else if (layer instanceof Activation a) {
                if (a.function() != Activation.Function.LINEAR) {
                    steps.add(new ActivationStep(a, out, i));
                }
            } else if (layer instanceof BatchNorm b) {
                steps.add(new BatchNormStep(b, in, i));
            } else if (layer instanceof Rescaling r) {
                steps.add(new BatchNormStep(r, in, i));
            } else if (layer instanceof AdaptivePool2d p) {
                steps.add(new AdaptivePoolStep(p, in, out, i));
            } else if (!(layer instanceof Flatten || layer instanceof Dropout)) {
                throw new IllegalStateException("no kernel for " + layer.getClass().getSimpleName());
            }
        }
        return new Plan(model, kernels, steps);
    }

    private static boolean fusableActivation(List<Layer> layers, int i) {
        return i < layers.size() && layers.get(i) instanceof Activation a && ActivationStep.fastPath(a.function());
    }

    /** Which kernels run: "vector-512", "vector-256" or "scalar". */
    public String kernels() {
        return kernels.name();
    }

    public Workspace newWorkspace() {
        return new Workspace(maxSize, convScratch, tileLanes, runLanes, tileSize, gemvOut, kernels.imageRows());
    }

    /**
     * Runs {@code n} images from {@code in[inOffset]} (in {@code layout}) and writes {@code n}
     * output rows at {@code out[outOffset]}. Allocates nothing.
     */
    public void run(float[] in, int inOffset, Layout layout, int n, float[] out, int outOffset, Workspace ws) {
        int done = 0;
        for (; n - done >= MIN_CHUNK; done += LANES) {
            int m = Math.min(LANES, n - done);
            loadChunk(in, inOffset + done * inSize, layout, m, ws.a);
            float[] result = execute(LANES, ws, null, 0, 0);
            for (int b = 0; b < m; b++) {
                int o = outOffset + (done + b) * outSize;
                for (int i = 0; i < outSize; i++) {
                    out[o + i] = result[i * LANES + b];
                }
            }
        }
        for (; done < n; done++) {
            loadImage(in, inOffset + done * inSize, layout, ws.a);
            System.arraycopy(execute(1, ws, null, 0, 0), 0, out, outOffset + done * outSize, outSize);
        }
    }

    /**
     * Every layer's output for {@code n} NCHW images, in layer order and canonical NCHW (or flat)
     * layout, computed {@code batched} in chunks of {@link #LANES} or image by image. For tests and
     * layer-by-layer comparison; not allocation-free. Use an unfused plan to see every layer.
     */
    public List<float[]> activations(float[] images, int n, boolean batched) {
        List<float[]> result = new ArrayList<>();
        for (Shape s : model.outputShapes()) {
            result.add(new float[n * s.size()]);
        }
        Workspace ws = newWorkspace();
        int lanes = batched ? LANES : 1;
        for (int done = 0; done < n; done += lanes) {
            int m = Math.min(lanes, n - done);
            if (batched) {
                loadChunk(images, done * inSize, Layout.NCHW, m, ws.a);
            } else {
                loadImage(images, done * inSize, Layout.NCHW, ws.a);
            }
            execute(lanes, ws, result, done, m);
        }
        return result;
    }

    /** Runs every step on ws.a; returns the array holding the output. Records layer outputs when asked. */
    private float[] execute(int lanes, Workspace ws, List<float[]> record, int first, int m) {
        float[] cur = ws.a, other = ws.b;
        int layer = 0;
        for (Step step : steps) {
            if (record != null && step.lastLayer >= 0) {
                // Layers without a step (Flatten, Dropout, linear activation) pass their input through.
                for (; layer < step.lastLayer; layer++) {
                    store(cur, lanes, layer, record, first, m);
                }
            }
            if (step.inPlace()) {
                step.forward(cur, cur, lanes, kernels, ws);
            } else {
                step.forward(cur, other, lanes, kernels, ws);
                float[] t = cur;
                cur = other;
                other = t;
            }
            if (record != null && step.lastLayer >= 0) {
                store(cur, lanes, layer++, record, first, m);
            }
        }
        for (; record != null && layer < record.size(); layer++) {
            store(cur, lanes, layer, record, first, m);
        }
        return cur;
    }

    /** Lanes {@code 0..m} of a layer output to images {@code first..first+m} of its NCHW record. */
    private void store(float[] src, int lanes, int layer, List<float[]> record, int first, int m) {
        float[] dst = record.get(layer);
        int size = model.outputShapes().get(layer).size();
        for (int b = 0; b < m; b++) {
            for (int i = 0; i < size; i++) {
                dst[(first + b) * size + i] = src[i * lanes + b];
            }
        }
    }

    /**
     * {@code m} images into a chunk, image innermost; empty lanes are zeroed (no garbage NaNs or
     * denormals). Walks the destination in order (32 source streams, one line each in L1): writing
     * one image at a time would touch every destination line 32 times.
     */
    private void loadChunk(float[] in, int offset, Layout layout, int m, float[] dst) {
        Shape s = model.inputShape();
        int hw = s.height() * s.width(), c = s.channels();
        for (int ch = 0, i = 0; ch < c; ch++) {
            for (int p = 0; p < hw; p++, i++) {
                // NCHW: value i of each image; NHWC: position p, channel ch.
                int src = offset + (layout == Layout.NCHW ? i : p * c + ch), d = i * LANES;
                for (int b = 0; b < m; b++) {
                    dst[d + b] = in[src + b * inSize];
                }
                for (int b = m; b < LANES; b++) {
                    dst[d + b] = 0f;
                }
            }
        }
    }

    private void loadImage(float[] in, int offset, Layout layout, float[] dst) {
        if (layout == Layout.NCHW) {
            System.arraycopy(in, offset, dst, 0, inSize);
        } else {
            lenet5.layout.WeightLayouts.nhwcToNchw(in, offset, dst, 0, 1, model.inputShape());
        }
    }

    public int inSize() {
        return inSize;
    }

    public int outSize() {
        return outSize;
    }
}
