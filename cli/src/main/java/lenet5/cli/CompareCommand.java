package lenet5.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import lenet5.compare.Comparison;
import lenet5.compare.Diff;
import lenet5.model.Sequential;
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
import static lenet5.cli.Specs.option;
import static lenet5.cli.Specs.positional;

final class CompareCommand implements Callable<Integer> {
    Path a;
    Path b;
    int samples;
    long seed;
    double tolerance;
    String archA;
    String archB;
    String inputShape;
    boolean json;

    final CommandSpec spec = Specs.command(this, "compare", new String[] {
            "Feed the same random inputs (uniform [0,1), each model in its own layout) to two models and report how far",
            "their outputs are apart, and layer by layer when the architectures line up.",
            "Exit code 0 within tolerance, 1 beyond it, 2 on error. Differences are absolute; default tolerance 1e-5."})
            .addPositional(positional("0", "A", Path.class, v -> a = v))
            .addPositional(positional("1", "B", Path.class, v -> b = v))
            .addOption(option("--samples", "N", Integer.class, "16", v -> samples = v, "Random inputs (default: ${DEFAULT-VALUE})."))
            .addOption(option("--seed", "S", Long.class, "0", v -> seed = v, "Seed of the random inputs (default: ${DEFAULT-VALUE})."))
            .addOption(option("--tolerance", "T", Double.class, "1e-5", v -> tolerance = v,
                    "Largest absolute output difference accepted (default: ${DEFAULT-VALUE})."))
            .addOption(option("--arch-a", "ARCH", String.class, v -> archA = v, "Architecture for A if it has none (see predict --arch)."))
            .addOption(option("--arch-b", "ARCH", String.class, v -> archB = v, "Architecture for B if it has none."))
            .addOption(option("--input-shape", "CxHxW", String.class, v -> inputShape = v, "Input shape when a file does not record it."))
            .addOption(flag("--json", v -> json = v, "Machine-readable output."));

    @Override
    public Integer call() throws JsonProcessingException {
        PrintWriter out = spec.commandLine().getOut();
        if (samples <= 0) {
            throw new IllegalArgumentException("--samples must be positive");
        }
        Sequential ma = ModelSource.load(a, archA, inputShape, null);
        Sequential mb = ModelSource.load(b, archB, inputShape, null);
        Comparison c = Comparison.run(ma, mb, samples, seed);
        boolean ok = c.within(tolerance);
        if (json) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("a", a.toString());
            r.put("b", b.toString());
            r.put("samples", samples);
            r.put("seed", seed);
            r.put("tolerance", tolerance);
            r.putAll(figures(c.output()));
            r.put("within_tolerance", ok);
            List<Map<String, Object>> layers = new ArrayList<>();
            for (Comparison.LayerDiff d : c.layers()) {
                Map<String, Object> l = new LinkedHashMap<>();
                l.put("a_layer", d.nameA());
                l.put("b_layer", d.nameB());
                l.put("layer", d.description());
                l.putAll(figures(d.diff()));
                layers.add(l);
            }
            r.put("layers", layers);
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(r));
        } else {
            out.printf(Locale.ROOT, "A: %s (%s)%nB: %s (%s)%n", InspectCommand.shown(a), InspectCommand.shown(ma.info().format()),
                    InspectCommand.shown(b), InspectCommand.shown(mb.info().format()));
            out.printf(Locale.ROOT, "samples: %d random inputs %s, uniform [0,1), seed %d%n", samples, ma.inputShape(), seed);
            Diff d = c.output();
            out.printf(Locale.ROOT, "max_abs_diff: %.6e%nmax_rel_diff: %.6e%nargmax_agreement: %d/%d%n",
                    d.maxAbs(), d.maxRel(), d.argmaxAgreement(), d.rows());
            if (d.nonFinite() > 0) {
                out.println("non_finite_mismatches: " + d.nonFinite());
            }
            if (!c.layers().isEmpty()) {
                out.println("layer by layer:");
                out.printf("  %-20s %-20s %-60s %-14s %s%n", "A", "B", "layer", "max_abs_diff", "max_rel_diff");
                for (Comparison.LayerDiff l : c.layers()) {
                    out.printf(Locale.ROOT, "  %-20s %-20s %-60s %-14.6e %.6e%n", InspectCommand.shown(l.nameA()),
                            InspectCommand.shown(l.nameB()), InspectCommand.shown(l.description()),
                            l.diff().maxAbs(), l.diff().maxRel());
                }
            } else {
                out.println("layer by layer: not shown, the architectures do not line up");
            }
            out.printf(Locale.ROOT, "result: %s (tolerance %.1e)%n", ok ? "SAME" : "DIFFERENT", tolerance);
        }
        return ok ? Main.EXIT_OK : Main.EXIT_DIFFERENT;
    }

    private static Map<String, Object> figures(Diff d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("max_abs_diff", d.maxAbs());
        m.put("max_rel_diff", d.maxRel());
        m.put("argmax_agreement", d.argmaxAgreement() + "/" + d.rows());
        m.put("non_finite_mismatches", d.nonFinite());
        return m;
    }
}
