package lenet5.bench;

import lenet5.layout.Layout;
import lenet5.model.Predictor;
import lenet5.model.Sequential;
import lenet5.testing.TorchModels;

/**
 * What two threads can do on this machine at all: one alone, then two independent one-thread
 * predictors at once (no shared batch, nothing to wait for), in images/s. Their sum over the alone
 * figure is the ceiling for {@code newPredictor(layout, 2)}'s speed-up; on a virtual machine two busy
 * cores each run slower than one, and not equally. From the repository root:
 * {@code java [--add-modules jdk.incubator.vector] -cp benchmarks/target/benchmarks.jar lenet5.bench.ParallelCeiling [BATCH [SECONDS]]}.
 */
public final class ParallelCeiling {
    private ParallelCeiling() {
    }

    public static void main(String[] args) throws InterruptedException {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 256;
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 5;
        Sequential model = TorchModels.load("lenet5_tanh");
        float[] in = Inputs.mnist(batch);
        double alone = run(model, in, batch, 1, seconds)[0];
        double[] both = run(model, in, batch, 2, seconds);
        System.out.printf("batch %d: one thread alone %.0f images/s; two at once %.0f + %.0f = %.0f, %.2fx alone%n",
                batch, alone, both[0], both[1], both[0] + both[1], (both[0] + both[1]) / alone);
    }

    /** Each of {@code threads} threads warms up, then counts images for {@code seconds}; images/s per thread. */
    private static double[] run(Sequential model, float[] in, int batch, int threads, double seconds) throws InterruptedException {
        double[] rates = new double[threads];
        Thread[] workers = new Thread[threads];
        long start = System.nanoTime() + 3_000_000_000L, end = start + (long) (seconds * 1e9);
        for (int t = 0; t < threads; t++) {
            int id = t;
            workers[t] = new Thread(() -> {
                try (Predictor p = model.newPredictor(Layout.NCHW, 1)) {
                    float[] out = new float[batch * 10];
                    while (System.nanoTime() < start) {
                        p.predict(in, 0, batch, out, 0);
                    }
                    long n = 0;
                    while (System.nanoTime() < end) {
                        p.predict(in, 0, batch, out, 0);
                        n += batch;
                    }
                    rates[id] = n / ((System.nanoTime() - start) / 1e9);
                }
            });
            workers[t].start();
        }
        for (Thread w : workers) {
            w.join();
        }
        return rates;
    }
}
