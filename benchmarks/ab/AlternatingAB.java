import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/**
 * Two builds of core in one JVM, each in its own class loader (so each gets its own JIT-compiled
 * kernels), run in alternating 0.25 s windows on the same input: both see the same machine at
 * nearly the same moment, which on a shared virtual machine (where the same process can swing
 * 20% from one second to the next) is the only comparison of two kernel versions that holds still.
 * Run by {@code benchmarks/ab.sh}; usage: {@code java AlternatingAB.java BATCH WINDOWS CLASSPATH_A CLASSPATH_B [MODEL]}.
 */
public final class AlternatingAB {
    private static final long WINDOW_NANOS = 250_000_000L;
    private static final int WARM_UP_WINDOWS = 6;

    public static void main(String[] args) throws Throwable {
        if (args.length < 4) {
            System.err.println("usage: java AlternatingAB.java BATCH WINDOWS CLASSPATH_A CLASSPATH_B [MODEL]");
            System.exit(2);
        }
        int batch = Integer.parseInt(args[0]), windows = Integer.parseInt(args[1]);
        String model = args.length > 4 ? args[4] : "lenet5_tanh";
        MethodHandle[] predict = {predictor("A", args[2], model), predictor("B", args[3], model)};
        Random random = new Random(1);
        float[] in = new float[batch * 784];
        for (int i = 0; i < in.length; i++) {
            in[i] = random.nextFloat();
        }
        float[] out = new float[batch * 10];
        double[] sum = new double[2];
        double[] ratios = new double[windows];
        for (int w = -WARM_UP_WINDOWS; w < windows; w++) {
            double[] rate = new double[2];
            for (int k = 0; k < 2; k++) {
                int v = (w & 1) == 0 ? k : 1 - k; // alternate which goes first
                long t0 = System.nanoTime(), n = 0;
                while (System.nanoTime() - t0 < WINDOW_NANOS) {
                    predict[v].invokeExact(in, 0, batch, out, 0);
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
        System.out.printf("batch %d, %d window pairs: A %.0f, B %.0f images/s; B/A %.3f (median of pairs %.3f, quartiles %.3f-%.3f)%n",
                batch, windows, sum[0] / windows, sum[1] / windows, sum[1] / sum[0], ratios[windows / 2], ratios[windows / 4],
                ratios[3 * windows / 4]);
    }

    /** {@code Predictor.predict} of a one-thread predictor for MODEL from the committed test data, loaded from {@code classpath}. */
    private static MethodHandle predictor(String name, String classpath, String model) throws Throwable {
        String[] dirs = classpath.split(":");
        URL[] urls = new URL[dirs.length];
        for (int i = 0; i < dirs.length; i++) {
            urls[i] = Path.of(dirs[i]).toUri().toURL();
        }
        ClassLoader loader = new URLClassLoader(urls, ClassLoader.getPlatformClassLoader());
        Class<?> models = loader.loadClass("lenet5.testing.TorchModels");
        Class<?> layout = loader.loadClass("lenet5.layout.Layout");
        Object m = models.getMethod("load", String.class).invoke(null, model);
        Object p = m.getClass().getMethod("newPredictor", layout, int.class).invoke(m, layout.getField("NCHW").get(null), 1);
        System.out.println(name + ": " + classpath + " (kernels " + p.getClass().getMethod("kernels").invoke(p) + ")");
        return MethodHandles.publicLookup()
                .unreflect(p.getClass().getMethod("predict", float[].class, int.class, int.class, float[].class, int.class))
                .bindTo(p);
    }
}
