package lenet5.bench;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;

/**
 * Two builds of core in one JVM, each in its own class loader (so each gets its own JIT-compiled
 * kernels), timed in {@link Alternation alternating windows} on the same input: the comparison of
 * two kernel versions that holds still on a shared virtual machine. Run by {@code benchmarks/ab.sh}:
 * {@code AlternatingAB BATCH WINDOWS CLASSPATH_A CLASSPATH_B [MODEL]}.
 */
public final class AlternatingAB {
    private AlternatingAB() {
    }

    public static void main(String[] args) throws Throwable {
        if (args.length < 4) {
            System.err.println("usage: AlternatingAB BATCH WINDOWS CLASSPATH_A CLASSPATH_B [MODEL]");
            System.exit(2);
        }
        int batch = Integer.parseInt(args[0]), windows = Integer.parseInt(args[1]);
        String model = args.length > 4 ? args[4] : "lenet5_tanh";
        MethodHandle a = predictor("A", args[2], model), b = predictor("B", args[3], model);
        float[] in = Inputs.mnist(batch);
        float[] out = new float[batch * 10];
        // Block lambdas: a statement is what gives invokeExact its void return type.
        Alternation.Result r = Alternation.run(batch, windows, () -> {
            a.invokeExact(in, 0, batch, out, 0);
        }, () -> {
            b.invokeExact(in, 0, batch, out, 0);
        });
        System.out.println("batch " + batch + ", " + r.describe("A", "B"));
    }

    /** {@code Predictor.predict} of a one-thread predictor for MODEL from the committed test data, loaded from {@code classpath} alone. */
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
