package lenet5.keras.h5;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where Keras 3 keeps a layer's variables in {@code .keras} and {@code .weights.h5} files. Not
 * under the layer's name: Keras's {@code saving_lib} names each layer of a container by its class
 * name in snake case plus a counter per class, in the container's layer order
 * ({@code layers/conv2d}, {@code layers/conv2d_1}, {@code layers/dense}, ...), because names are
 * generated and differ between two instances of one model; a nested model's layers sit below it
 * ({@code layers/sequential/layers/conv2d}). Reader and writer both use this one rule.
 */
public final class Keras3Paths {
    private Keras3Paths() {
    }

    /** Keras's {@code naming.to_snake_case}: {@code Conv2D} -> {@code conv2d}, {@code BatchNormalization} -> {@code batch_normalization}. */
    public static String snakeCase(String className) {
        String s = className.replaceAll("[^A-Za-z0-9_]+", "");
        s = s.replaceAll("(.)([A-Z][a-z]+)", "$1_$2");
        return s.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }

    /** The paths of a container's layers, given their Keras classes in the container's order, below {@code prefix} ("" at the top). */
    public static List<String> paths(String prefix, List<String> classNames) {
        Map<String, Integer> used = new HashMap<>();
        List<String> out = new ArrayList<>(classNames.size());
        for (String cls : classNames) {
            String base = snakeCase(cls);
            int n = used.merge(base, 1, Integer::sum) - 1;
            out.add((prefix.isEmpty() ? "" : prefix + "/") + "layers/" + (n == 0 ? base : base + "_" + n));
        }
        return out;
    }
}
