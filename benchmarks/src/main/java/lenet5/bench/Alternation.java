package lenet5.bench;

import java.util.Arrays;

/**
 * Two workloads timed in alternating 0.25 s windows in one JVM (which goes first alternates too):
 * both see the same machine at nearly the same moment. On a shared virtual machine, where one
 * process moves 20% from one second to the next, this is the comparison that holds still.
 */
final class Alternation {
    private static final long WINDOW_NANOS = 250_000_000L;
    private static final int WARM_UP_WINDOWS = 8;

    /** One call of a workload, which processes {@code batch} images. */
    interface Call {
        void run() throws Throwable;
    }

    /** Images/s of A and B (means over the windows) and the quartiles of the per-pair ratios B/A. */
    record Result(int windows, double a, double b, double median, double q1, double q3) {
        String describe(String nameA, String nameB) {
            return String.format("%d window pairs: %s %.0f, %s %.0f images/s; %s/%s %.3f (median of pairs %.3f, quartiles %.3f-%.3f)",
                    windows, nameA, a, nameB, b, nameB, nameA, b / a, median, q1, q3);
        }
    }

    private Alternation() {
    }

    static Result run(int batch, int windows, Call a, Call b) throws Throwable {
        Call[] calls = {a, b};
        double[] sum = new double[2];
        double[] ratios = new double[windows];
        for (int w = -WARM_UP_WINDOWS; w < windows; w++) {
            double[] rate = new double[2];
            for (int k = 0; k < 2; k++) {
                int v = (w & 1) == 0 ? k : 1 - k;
                long t0 = System.nanoTime(), n = 0;
                while (System.nanoTime() - t0 < WINDOW_NANOS) {
                    calls[v].run();
                    n += batch;
                }
                rate[v] = n / ((System.nanoTime() - t0) / 1e9);
            }
            if (w >= 0) {
                sum[0] += rate[0];
                sum[1] += rate[1];
                ratios[w] = rate[1] / rate[0];
            }
        }
        Arrays.sort(ratios);
        return new Result(windows, sum[0] / windows, sum[1] / windows, ratios[windows / 2], ratios[windows / 4], ratios[3 * windows / 4]);
    }
}
