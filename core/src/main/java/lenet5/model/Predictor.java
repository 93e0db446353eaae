package lenet5.model;

import lenet5.InvalidInputException;
import lenet5.kernels.Op;
import lenet5.kernels.Plan;
import lenet5.layout.Layout;
import lenet5.layout.WeightLayouts;
import lenet5.tensor.Shape;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs a {@link Sequential} model, in the spirit of DJL's {@code Predictor}: {@link #predict}
 * for one image, {@link #batchPredict} for many. A predictor owns scratch buffers that it
 * reuses across calls, so the allocation-free {@link #predict(float[], int, int, float[], int)}
 * allocates nothing after the first call. One predictor per thread; the model itself is shared.
 */
public final class Predictor implements AutoCloseable {
    /** Images processed together; large enough to amortize per-op overhead, small enough for L2. */
    static final int CHUNK = 64;

    private final Sequential model;
    private final Layout inputLayout;
    private final Plan plan;
    private final int inSize;
    private final int outSize;
    private float[] a;
    private float[] b;

    Predictor(Sequential model, Layout inputLayout) {
        this.model = model;
        this.inputLayout = inputLayout;
        this.plan = Plan.compile(model, true);
        this.inSize = model.inputShape().size();
        this.outSize = model.outputShape().size();
    }

    public Sequential model() {
        return model;
    }

    public Layout inputLayout() {
        return inputLayout;
    }

    /** Values per input image. */
    public int inputSize() {
        return inSize;
    }

    /** Values per output row. */
    public int outputSize() {
        return outSize;
    }

    /** One image in, one output row (e.g. 10 class probabilities) out. */
    public float[] predict(float[] image) {
        if (image.length != inSize) {
            throw new InvalidInputException("expected one image of " + inSize + " values (" + model.inputShape()
                    + "), got " + image.length);
        }
        float[] out = new float[outSize];
        predict(image, 0, 1, out, 0);
        return out;
    }

    /** The index of the largest output for one image. */
    public int classify(float[] image) {
        return argmax(predict(image), 0, outSize);
    }

    /** Many images, one array each. */
    public float[][] batchPredict(float[][] images) {
        float[] flat = new float[Math.multiplyExact(images.length, inSize)];
        for (int i = 0; i < images.length; i++) {
            if (images[i].length != inSize) {
                throw new InvalidInputException("image " + i + " has " + images[i].length + " values, expected " + inSize);
            }
            System.arraycopy(images[i], 0, flat, i * inSize, inSize);
        }
        float[] out = batchPredict(flat);
        float[][] rows = new float[images.length][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = java.util.Arrays.copyOfRange(out, i * outSize, (i + 1) * outSize);
        }
        return rows;
    }

    /** Many images packed in one array ({@code n * inputSize()} values); returns {@code n * outputSize()} values. */
    public float[] batchPredict(float[] images) {
        if (images.length % inSize != 0) {
            throw new InvalidInputException(images.length + " values are not a whole number of images of "
                    + inSize + " values (" + model.inputShape() + ")");
        }
        int n = images.length / inSize;
        float[] out = new float[Math.multiplyExact(n, outSize)];
        predict(images, 0, n, out, 0);
        return out;
    }

    /**
     * The allocation-free form: reads {@code n} images starting at {@code in[inOffset]} in this
     * predictor's input layout and writes {@code n} output rows at {@code out[outOffset]}.
     */
    public void predict(float[] in, int inOffset, int n, float[] out, int outOffset) {
        if (n < 0 || inOffset < 0 || (long) inOffset + (long) n * inSize > in.length
                || outOffset < 0 || (long) outOffset + (long) n * outSize > out.length) {
            throw new InvalidInputException("batch of " + n + " images does not fit the given arrays");
        }
        ensureWorkspace();
        List<Op> ops = plan.ops();
        for (int done = 0; done < n; done += CHUNK) {
            int m = Math.min(CHUNK, n - done);
            loadInput(in, inOffset + done * inSize, m);
            float[] cur = a, other = b;
            for (Op op : ops) {
                if (op.inPlace()) {
                    op.forward(cur, cur, m);
                } else {
                    op.forward(cur, other, m);
                    float[] t = cur;
                    cur = other;
                    other = t;
                }
            }
            System.arraycopy(cur, 0, out, outOffset + done * outSize, m * outSize);
        }
    }

    /**
     * Every layer's output for {@code n} images, in layer order, each in the canonical NCHW
     * (or flat) layout. For tests and for layer-by-layer comparison; not allocation-free.
     */
    public List<float[]> activations(float[] images, int n) {
        if ((long) n * inSize != images.length) {
            throw new InvalidInputException(images.length + " values are not " + n + " images of " + inSize + " values");
        }
        Plan unfused = Plan.compile(model, false);
        float[] cur = inputLayout == Layout.NHWC ? WeightLayouts.nhwcToNchw(images, n, model.inputShape()) : images.clone();
        List<float[]> result = new ArrayList<>();
        int layer = 0;
        for (Op op : unfused.ops()) {
            // Layers without an op (Flatten, Dropout, linear activation) pass their input through.
            while (layer < op.lastLayer()) {
                result.add(cur.clone());
                layer++;
            }
            float[] next = new float[n * op.outSize()];
            op.forward(cur, next, n);
            cur = next;
            result.add(cur.clone());
            layer++;
        }
        while (layer < model.layers().size()) {
            result.add(cur.clone());
            layer++;
        }
        return result;
    }

    private void loadInput(float[] in, int offset, int m) {
        if (inputLayout == Layout.NHWC) {
            WeightLayouts.nhwcToNchw(in, offset, a, 0, m, model.inputShape());
        } else {
            System.arraycopy(in, offset, a, 0, m * inSize);
        }
    }

    private void ensureWorkspace() {
        if (a == null) {
            a = new float[CHUNK * plan.maxSize()];
            b = new float[CHUNK * plan.maxSize()];
        }
    }

    /** Index of the largest of {@code len} values starting at {@code offset} (first one on ties). */
    public static int argmax(float[] v, int offset, int len) {
        int best = 0;
        for (int i = 1; i < len; i++) {
            if (v[offset + i] > v[offset + best]) {
                best = i;
            }
        }
        return best;
    }

    /** Releases the scratch buffers; the predictor can still be used and will allocate them again. */
    @Override
    public void close() {
        a = null;
        b = null;
    }

    /** The model's input shape, for callers that lay out data. */
    public Shape inputShape() {
        return model.inputShape();
    }
}
