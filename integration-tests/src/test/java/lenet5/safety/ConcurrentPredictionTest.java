package lenet5.safety;

import lenet5.layout.Layout;
import lenet5.Lenet5;
import lenet5.io.Idx;
import lenet5.io.RawFloats;
import lenet5.model.Predictor;
import lenet5.model.Sequential;
import lenet5.testing.TestFiles;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One loaded model shared by several threads, each with its own {@link Predictor}: 100,000
 * predictions in total must give bit-identical results to one thread. A model is immutable, so
 * any difference means shared mutable state (a scratch buffer, a lazily built plan) leaked
 * between threads.
 */
@Tag("safety")
class ConcurrentPredictionTest {
    static final int THREADS = 4;
    static final int TOTAL = 100_000;

    @Test
    void sharedModelGivesBitIdenticalResultsOnEveryThread() throws Exception {
        Sequential model = Lenet5.load(TestFiles.testdata().resolve("torch/lenet5_tanh.pt"));
        float[] images = images();
        int size = model.inputShape().size();
        int n = images.length / size;
        int k = model.outputShape().size();

        // The reference: one thread, one image at a time.
        float[] expected = new float[n * k];
        try (Predictor p = model.newPredictor(Layout.NCHW)) {
            for (int i = 0; i < n; i++) {
                p.predict(images, i * size, 1, expected, i * k);
            }
        }
        // The same on the test split, as PyTorch computed it, so the reference itself is right.
        float[] pytorch = RawFloats.read(TestFiles.testdata().resolve("torch/lenet5_tanh.test_probs.f32"));
        TestFiles.assertClose(pytorch, java.util.Arrays.copyOfRange(expected, 16 * k, 16 * k + pytorch.length), pytorch.length / k, 1e-6,
                "single-thread reference vs PyTorch");

        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        long t0 = System.nanoTime();
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                results.add(pool.submit(() -> run(model, images, expected, n, size, k, thread)));
            }
            List<String> problems = new ArrayList<>();
            for (Future<String> f : results) {
                String problem = f.get(10, TimeUnit.MINUTES);
                if (problem != null) {
                    problems.add(problem);
                }
            }
            System.out.printf("%d predictions on %d threads sharing one model in %.1f s; mismatches: %s%n", TOTAL, THREADS,
                    (System.nanoTime() - t0) / 1e9, problems.isEmpty() ? "none" : problems);
            if (!problems.isEmpty()) {
                fail(String.join("\n", problems));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * This thread's share of the predictions, walking the images from a different start on each
     * thread and alternating single predictions with batches of varying size (batches cross the
     * predictor's internal chunk boundary); returns the first mismatch, or null.
     */
    private static String run(Sequential model, float[] images, float[] expected, int n, int size, int k, int thread) {
        int share = TOTAL / THREADS;
        float[] out = new float[128 * k];
        try (Predictor p = model.newPredictor(Layout.NCHW)) {
            int done = 0;
            int i = (thread * 997) % n;
            int round = 0;
            while (done < share) {
                int batch = round++ % 2 == 0 ? 1 : Math.min(share - done, 1 + (round * 37 + thread) % 127);
                batch = Math.min(batch, n - i);
                p.predict(images, i * size, batch, out, 0);
                for (int j = 0; j < batch * k; j++) {
                    if (Float.floatToRawIntBits(out[j]) != Float.floatToRawIntBits(expected[i * k + j])) {
                        return String.format("thread %d: image %d output %d is %s, single-thread gave %s (batch of %d)",
                                thread, i + j / k, j % k, out[j], expected[i * k + j], batch);
                    }
                }
                done += batch;
                i = (i + batch) % n;
            }
        }
        return null;
    }

    /** 16 random inputs from testdata, then the 2000 MNIST test images PyTorch's test_probs were computed on. */
    private static float[] images() {
        float[] random = RawFloats.read(TestFiles.testdata().resolve("torch/inputs_16x1x28x28.f32"));
        Idx.Images mnist = Idx.readImages(TestFiles.testdata().resolve("mnist/test-images-idx3-ubyte.gz"));
        float[] digits = mnist.toFloats(true);
        assertEquals(2000, mnist.count());
        float[] all = new float[random.length + digits.length];
        System.arraycopy(random, 0, all, 0, random.length);
        System.arraycopy(digits, 0, all, random.length, digits.length);
        assertTrue(all.length % 784 == 0);
        return all;
    }
}
