package lenet5.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import lenet5.layers.Layer;
import lenet5.model.InputSizes;
import lenet5.model.Sequential;
import lenet5.model.StoredWeight;
import lenet5.tensor.Tensor;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import static lenet5.cli.Specs.flag;
import static lenet5.cli.Specs.positionals;

final class InspectCommand implements Callable<Integer> {
    List<Path> models;
    final ModelOptions modelOptions = new ModelOptions();
    boolean json;

    final CommandSpec spec = Specs.command(this, "inspect", new String[] {
            "Show what a model file holds: format, framework version, layers with output shapes, every stored weight.",
            "With two files: the tutorial's side-by-side table matching each weight of A to B with the transform between them."})
            .addPositional(positionals("0", "1..2", "MODEL", Path.class, v -> models = v, "One model, or two to compare side by side."))
            .addOption(flag("--json", v -> json = v, "Machine-readable output."));

    {
        modelOptions.addTo(spec);
    }

    @Override
    public Integer call() throws JsonProcessingException {
        PrintWriter out = spec.commandLine().getOut();
        List<Sequential> loaded = new ArrayList<>();
        for (Path p : models) {
            loaded.add(modelOptions.load(p));
        }
        Object report = loaded.size() == 1 ? describe(models.get(0), loaded.get(0)) : sideBySide(loaded.get(0), loaded.get(1));
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
        } else if (loaded.size() == 1) {
            printModel(out, models.get(0), loaded.get(0));
        } else {
            printModel(out, models.get(0), loaded.get(0));
            out.println();
            printModel(out, models.get(1), loaded.get(1));
            out.println();
            printSideBySide(out, sideBySide(loaded.get(0), loaded.get(1)));
        }
        return Main.EXIT_OK;
    }

    static Map<String, Object> describe(Path file, Sequential m) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("file", file.toString());
        r.put("format", m.info().format());
        r.put("framework_version", m.info().frameworkVersion());
        r.put("native_layout", m.nativeLayout().name());
        r.put("input_shape", m.inputShape().toString());
        List<Map<String, Object>> layers = new ArrayList<>();
        for (int i = 0; i < m.layers().size(); i++) {
            Layer l = m.layers().get(i);
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("index", i);
            e.put("name", l.name());
            e.put("layer", l.describe());
            e.put("output_shape", m.outputShapes().get(i).toString());
            e.put("parameters", parameters(m, i));
            layers.add(e);
        }
        r.put("layers", layers);
        List<Map<String, Object>> weights = new ArrayList<>();
        for (StoredWeight w : m.info().storedWeights()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", w.name());
            e.put("shape", w.shape());
            e.put("dtype", w.dtype());
            e.put("layout", w.layout().describe());
            e.put("layer", w.layer());
            weights.add(e);
        }
        r.put("weights", weights);
        r.put("parameters", parameters(m));
        return r;
    }

    /**
     * The values the file stores for layer i (Keras's count_params() counts these): its stored
     * weights' sizes, or, for a model whose file lists none, {@link Layer#parameterCount()}.
     */
    static long parameters(Sequential m, int i) {
        List<StoredWeight> stored = m.info().storedWeights();
        if (stored.isEmpty()) {
            return m.layers().get(i).parameterCount();
        }
        return stored.stream().filter(w -> w.layer() == i)
                .mapToLong(w -> w.shape().stream().mapToLong(Integer::longValue).reduce(1, (a, b) -> a * b)).sum();
    }

    static long parameters(Sequential m) {
        long n = 0;
        for (int i = 0; i < m.layers().size(); i++) {
            n += parameters(m, i);
        }
        return n;
    }

    private static void printModel(PrintWriter out, Path file, Sequential m) {
        out.println("file:       " + shown(file));
        out.println("format:     " + shown(m.info().format()));
        out.println("framework:  " + shown(m.info().frameworkVersion()));
        out.println("input:      " + m.inputShape() + " (C x H x W), fed as " + m.nativeLayout());
        if (m.info().format().contains("inferred") && !m.inputShape().flat()) {
            // The file does not record the size: say which square sizes would run, and that 28, then 32, was preferred.
            String sides = InputSizes.ranges(InputSizes.fitting(m.layers(), m.inputShape().channels()));
            out.println("fits:       side " + sides + " (square inputs; the file does not record its size: 28x28 is preferred, "
                    + "then 32x32, then the smallest; --input-shape picks another)");
        }
        out.println("layers:");
        out.printf("  %3s  %-16s %-62s %-10s %s%n", "#", "name", "layer", "output", "params");
        for (int i = 0; i < m.layers().size(); i++) {
            Layer l = m.layers().get(i);
            out.printf(Locale.ROOT, "  %3d  %-16s %-62s %-10s %,d%n", i, shown(l.name()), shown(l.describe()), m.outputShapes().get(i),
                    parameters(m, i));
        }
        out.println("weights (as stored in the file):");
        out.printf("  %-40s %-16s %-9s %s%n", "name", "shape", "dtype", "layout");
        for (StoredWeight w : m.info().storedWeights()) {
            out.printf("  %-40s %-16s %-9s %s%n", shown(w.name()), w.shape(), shown(w.dtype()), w.layout().describe());
        }
        out.printf(Locale.ROOT, "parameters: %,d%n", parameters(m));
    }

    /** Pairs the i-th stored weight of A with the i-th of B; both models are canonical, so their weights line up in order. */
    static List<Map<String, Object>> sideBySide(Sequential a, Sequential b) {
        List<StoredWeight> sa = a.info().storedWeights(), sb = b.info().storedWeights();
        List<Tensor> wa = a.weights(), wb = b.weights();
        List<Map<String, Object>> rows = new ArrayList<>();
        int n = Math.max(wa.size(), wb.size());
        for (int i = 0; i < n; i++) {
            Map<String, Object> r = new LinkedHashMap<>();
            StoredWeight x = i < sa.size() ? sa.get(i) : null, y = i < sb.size() ? sb.get(i) : null;
            r.put("a_name", x == null ? "-" : x.name());
            r.put("a_shape", x == null ? "-" : x.shape().toString());
            r.put("b_name", y == null ? "-" : y.name());
            r.put("b_shape", y == null ? "-" : y.shape().toString());
            r.put("transform", x == null || y == null ? "-" : x.layout().transformTo(y.layout()));
            if (i < wa.size() && i < wb.size() && wa.get(i).hasShape(wb.get(i).shape())) {
                r.put("max_abs_diff", lenet5.compare.Diff.of(wa.get(i).data(), wb.get(i).data(), 1).maxAbs());
            } else {
                r.put("max_abs_diff", "shape mismatch");
            }
            rows.add(r);
        }
        return rows;
    }

    private static void printSideBySide(PrintWriter out, List<Map<String, Object>> rows) {
        out.println("side by side (A -> B; max_abs_diff compares the weights after the transform):");
        out.printf("  %-28s %-16s %-34s %-16s %-44s %s%n", "A", "shape", "B", "shape", "transform A -> B", "max_abs_diff");
        for (Map<String, Object> r : rows) {
            Object d = r.get("max_abs_diff");
            out.printf(Locale.ROOT, "  %-28s %-16s %-34s %-16s %-44s %s%n", shown(r.get("a_name")), r.get("a_shape"), shown(r.get("b_name")),
                    r.get("b_shape"), r.get("transform"), d instanceof Double v ? String.format(Locale.ROOT, "%.3e", v) : d);
        }
    }

    /** Text from a file on the terminal: escaped and capped, so it can neither forge lines nor send control sequences. */
    static String shown(Object text) {
        return lenet5.Text.escape(String.valueOf(text), lenet5.Text.MAX_ITEM);
    }
}
