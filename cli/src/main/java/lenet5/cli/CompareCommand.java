package lenet5.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import lenet5.compare.Comparison;
import lenet5.compare.Diff;
import lenet5.model.Sequential;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "compare", mixinStandardHelpOptions = true, description = {
        "Feed the same random inputs (uniform [0,1), each model in its own layout) to two models and report how far",
        "their outputs are apart, and layer by layer when the architectures line up.",
        "Exit code 0 within tolerance, 1 beyond it, 2 on error. Differences are absolute; default tolerance 1e-5."})
final class CompareCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "A")
    Path a;

    @Parameters(index = "1", paramLabel = "B")
    Path b;

    @Option(names = "--samples", paramLabel = "N", defaultValue = "16", description = "Random inputs (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Seed of the random inputs (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--tolerance", paramLabel = "T", defaultValue = "1e-5",
            description = "Largest absolute output difference accepted (default: ${DEFAULT-VALUE}).")
    double tolerance;

    @Option(names = "--arch-a", paramLabel = "ARCH", description = "Architecture for A if it has none (see predict --arch).")
    String archA;

    @Option(names = "--arch-b", paramLabel = "ARCH", description = "Architecture for B if it has none.")
    String archB;

    @Option(names = "--input-shape", paramLabel = "CxHxW", description = "Input shape when a file does not record it.")
    String inputShape;

    @Option(names = "--json", description = "Machine-readable output.")
    boolean json;

    @Spec
    CommandSpec spec;

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
