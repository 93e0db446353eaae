package lenet5.serve;

import lenet5.image.ImagePreprocessor;
import lenet5.image.Normalization;
import lenet5.image.Preprocess;
import lenet5.layout.Layout;
import lenet5.model.Predictor;
import lenet5.model.Sequential;
import lenet5.tensor.Shape;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Pattern;

/**
 * One model the server serves under a name: its predictors (one per concurrent request, reused, so
 * steady-state inference allocates no scratch memory) and its image preprocessing.
 */
public final class ServedModel {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    private final String name;
    private final Sequential model;
    private final ImagePreprocessor preprocessor;
    private final ConcurrentLinkedQueue<Predictor> idle = new ConcurrentLinkedQueue<>();

    public ServedModel(String name, Sequential model, Preprocess preprocess, Normalization normalization) {
        if (!NAME.matcher(Objects.requireNonNull(name)).matches()) {
            throw new IllegalArgumentException("model name '" + name + "' must be 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit");
        }
        this.name = name;
        this.model = model;
        this.preprocessor = ImagePreprocessor.forInput(model.inputShape()).withMode(preprocess).withNormalization(normalization);
    }

    public String name() {
        return name;
    }

    public Sequential model() {
        return model;
    }

    Shape inputShape() {
        return model.inputShape();
    }

    int outputSize() {
        return model.outputShape().size();
    }

    ImagePreprocessor preprocessor() {
        return preprocessor;
    }

    /** Runs {@code n} NCHW images; returns {@code n x outputSize()} values. */
    float[] infer(float[] nchw, int n) {
        Predictor p = idle.poll();
        if (p == null) {
            p = model.newPredictor(Layout.NCHW);
        }
        try {
            float[] out = new float[n * outputSize()];
            p.predict(nchw, 0, n, out, 0);
            return out;
        } finally {
            idle.offer(p);
        }
    }

    /**
     * Runs the model on blank images, one and 32 at a time, until {@code budget} is spent or the
     * kernels have run enough to be compiled, so that clients do not wait on interpreted code: in
     * a fresh JVM the first 32-image request takes ~0.8 s on the Vector API kernels, the fourth
     * ~25 ms. Returns the number of images run.
     */
    public int warmUp(Duration budget) {
        long end = System.nanoTime() + budget.toNanos();
        float[] blank = new float[32 * model.inputShape().size()];
        int images = 0;
        for (int round = 0; round < WARM_UP_ROUNDS && System.nanoTime() - end < 0; round++) {
            infer(blank, 1);
            infer(blank, 32);
            images += 33;
        }
        return images;
    }

    /** Rounds of 1 + 32 images after which the kernels ran ~10,000 times: C2 has compiled them (measured with the serve command). */
    private static final int WARM_UP_ROUNDS = 300;

    void close() {
        List<Predictor> all = new ArrayList<>(idle);
        idle.clear();
        all.forEach(Predictor::close);
    }
}
