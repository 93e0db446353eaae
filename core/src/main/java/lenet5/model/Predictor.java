package lenet5.model;

import lenet5.InvalidInputException;
import lenet5.kernels.Plan;
import lenet5.kernels.Workspace;
import lenet5.layout.Layout;
import lenet5.layout.WeightLayouts;
import lenet5.tensor.Shape;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Runs a {@link Sequential} model, in the spirit of DJL's {@code Predictor}: {@link #predict}
 * for one image, {@link #batchPredict} for many. A predictor owns scratch buffers that it
 * reuses across calls, so the allocation-free {@link #predict(float[], int, int, float[], int)}
 * allocates nothing after the first call. One predictor per thread; the model itself is shared,
 * and so is its compiled plan (made once per model, on first use).
 * <p>
 * Input is read in the {@link Layout} the predictor was made with ({@link Sequential#newPredictor(Layout)}),
 * never in one implied by the file the model came from: a 3-channel NCHW array gives the same
 * prediction from a {@code .pt} model and from the same model converted to {@code .h5}.
 * <p>
 * A predictor made with {@link Sequential#newPredictor(Layout, int) threads > 1} splits each
 * large batch over that many threads (the caller's and {@code threads - 1} daemon workers it
 * starts on first use and stops in {@link #close()}); results are bit-identical to one thread.
 * <p>
 * The engine uses the Vector API when the JVM runs with {@code --add-modules jdk.incubator.vector}
 * (see {@link #kernels()}), plain Java otherwise, with {@code -Dlenet5.scalar=true} or when made with
 * {@link KernelChoice#SCALAR}.
 */
public final class Predictor implements AutoCloseable {
    private final Sequential model;
    private final Layout inputLayout;
    private final Plan plan;
    private final int inSize;
    private final int outSize;
    private final int threads;
    private Workspace workspace;
    private Workers workers;

    Predictor(Sequential model, Layout inputLayout, int threads, Plan plan) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.model = model;
        this.inputLayout = Objects.requireNonNull(inputLayout, "inputLayout");
        this.plan = plan;
        this.inSize = model.inputShape().size();
        this.outSize = model.outputShape().size();
        this.threads = threads;
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

    /** Threads a large batch is split over. */
    public int threads() {
        return threads;
    }

    /** Which compute kernels run: "vector-512", "vector-256" or "scalar". */
    public String kernels() {
        return plan.kernels();
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
            rows[i] = Arrays.copyOfRange(out, i * outSize, (i + 1) * outSize);
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
        if (workspace == null) {
            workspace = plan.newWorkspace();
        }
        // A helper per whole chunk beyond the caller's; each chunk is what it would be on one thread.
        int helpers = Math.min(threads - 1, n / Plan.LANES - 1);
        if (helpers <= 0) {
            plan.run(in, inOffset, inputLayout, n, out, outOffset, workspace);
            return;
        }
        if (workers == null) {
            workers = new Workers(plan, threads - 1, inputLayout, inSize, outSize);
        }
        workers.run(in, inOffset, n, out, outOffset, helpers, workspace);
    }

    /**
     * Every layer's output for {@code n} images, in layer order, each in the canonical NCHW
     * (or flat) layout. For tests and for layer-by-layer comparison; not allocation-free.
     */
    public List<float[]> activations(float[] images, int n) {
        if ((long) n * inSize != images.length) {
            throw new InvalidInputException(images.length + " values are not " + n + " images of " + inSize + " values");
        }
        float[] nchw = inputLayout == Layout.NHWC ? WeightLayouts.nhwcToNchw(images, n, model.inputShape()) : images;
        return Plan.compileUnfused(model).activations(nchw, n, n >= Plan.LANES);
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

    /**
     * Releases the scratch buffers and stops the worker threads; the predictor can still be used
     * and will allocate them again.
     */
    @Override
    public void close() {
        workspace = null;
        if (workers != null) {
            workers.close();
            workers = null;
        }
    }

    /** The model's input shape, for callers that lay out data. */
    public Shape inputShape() {
        return model.inputShape();
    }
}
