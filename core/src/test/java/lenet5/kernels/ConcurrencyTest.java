package lenet5.kernels;

import lenet5.io.Idx;
import lenet5.layout.Layout;
import lenet5.model.Predictor;
import lenet5.model.Sequential;
import lenet5.testing.TestFiles;
import lenet5.testing.TorchModels;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** One model shared by threads; multi-threaded predictors; no allocation per batch. */
class ConcurrencyTest {
    static final Sequential MODEL = TorchModels.load("lenet5_tanh");
    static final float[] DIGITS = Idx.readImages(TestFiles.testdata().resolve("mnist/test-images-idx3-ubyte.gz")).toFloats(true);
    static final int N = DIGITS.length / 784;

    /** Reference: one thread, one predictor, every image alone and in batches of various sizes. */
    private static float[] predictAll(Predictor p, int batch) {
        float[] out = new float[N * 10];
        for (int i = 0; i < N; i += batch) {
            p.predict(DIGITS, i * 784, Math.min(batch, N - i), out, i * 10);
        }
        return out;
    }

    @Test
    void sharedModelGivesBitIdenticalResultsOnEveryThread() throws Exception {
        float[] expected;
        try (Predictor p = MODEL.newPredictor(Layout.NCHW)) {
            expected = predictAll(p, 250);
        }
        int threads = 4, rounds = 13; // 4 x 13 x 2000 = 104,000 predictions
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    try (Predictor p = MODEL.newPredictor(Layout.NCHW)) {
                        for (int r = 0; r < rounds; r++) {
                            assertArrayEquals(expected, predictAll(p, 250), "round " + r);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void multiThreadedPredictorIsBitIdenticalToOneThread() {
        try (Predictor one = MODEL.newPredictor(Layout.NCHW); Predictor two = MODEL.newPredictor(Layout.NCHW, 2);
             Predictor three = MODEL.newPredictor(Layout.NCHW, 3)) {
            for (int batch : new int[]{1, 31, 64, 100, 256, 1000, N}) {
                float[] expected = predictAll(one, batch);
                assertArrayEquals(expected, predictAll(two, batch), "2 threads, batch " + batch);
                assertArrayEquals(expected, predictAll(three, batch), "3 threads, batch " + batch);
            }
            assertEquals(2, two.threads());
        }
    }

    /** Per-image results do not depend on the batch an image arrives in (chunked, alone, in a partial chunk). */
    @Test
    void resultsDoNotDependOnBatchComposition() {
        try (Predictor p = MODEL.newPredictor(Layout.NCHW)) {
            float[] big = predictAll(p, 256);
            for (int batch : new int[]{7, 32, 33}) {
                assertArrayEquals(big, predictAll(p, batch), "batch " + batch);
            }
        }
    }

    @Test
    void steadyStateAllocatesNothing() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int threads : new int[]{1, 2}) {
            try (Predictor p = MODEL.newPredictor(Layout.NCHW, threads)) {
                float[] out = new float[256 * 10];
                // Until the JIT has compiled the kernels (C1 code boxes vectors), for at most ~30 s on a busy machine.
                long bytes = -1;
                for (int round = 0; round < 100 && bytes != 0; round++) {
                    long before = mx.getCurrentThreadAllocatedBytes();
                    for (int i = 0; i < 100; i++) {
                        p.predict(DIGITS, 0, 256, out, 0);
                        p.predict(DIGITS, 0, 1, out, 0);
                    }
                    bytes = mx.getCurrentThreadAllocatedBytes() - before;
                }
                System.out.println(threads + " thread(s): " + bytes + " bytes allocated by the caller in 200 predict calls");
                assertEquals(0, bytes, threads + " thread(s)");
            }
        }
    }
}
