package lenet5.cli;

import lenet5.Lenet5;
import lenet5.Lenet5Exception;
import lenet5.LoadOptions;
import lenet5.SaveOptions;
import lenet5.compare.Comparison;
import lenet5.io.AtomicFiles;
import lenet5.model.Sequential;
import lenet5.torch.nn.TorchSyntax;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "convert", mixinStandardHelpOptions = true, description = {
        "Convert a model between PyTorch and Keras. The input format is detected from the content, the output format",
        "from OUT's extension: .pt/.pth a PyTorch state_dict (plus OUT's name with .py: the matching torch.nn.Sequential",
        "and the lines that load the weights), .h5 a Keras legacy HDF5 model, .keras a Keras 3 zip.",
        "The written file is read back and compared with the source on random inputs; exit code 1 if they differ."})
final class ConvertCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IN")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT")
    Path out;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--to", paramLabel = "FORMAT", description = "Output format regardless of OUT's extension: pt, h5 or keras.")
    String to;

    @Option(names = "--variant", paramLabel = "NAME", description = "Format-specific variant, e.g. 'full' for a PyTorch full-model pickle.")
    String variant;

    @Option(names = "--print-torch", description = "Also print the torch.nn.Sequential definition on stdout (for .pt output).")
    boolean printTorch;

    @Option(names = "--no-torch-source", description = "Do not write the .py file next to a .pt output.")
    boolean noTorchSource;

    @Option(names = "--no-verify", description = "Skip reading the output back and comparing it with the source.")
    boolean noVerify;

    @Option(names = "--tolerance", paramLabel = "T", defaultValue = "1e-5",
            description = "Largest absolute output difference the verification accepts (default: ${DEFAULT-VALUE}).")
    double tolerance;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        String ext = to != null ? to.toLowerCase(Locale.ROOT) : extension(out);
        boolean torch = ext.equals("pt") || ext.equals("pth");
        Path py = sibling(out, ".py");
        if (torch && !noTorchSource && Files.exists(py) && Files.isSameFile(in, py)) {
            throw new Lenet5Exception(in, "refusing to convert: the loader script " + py + " would overwrite this input file"
                    + " (choose another output name or --no-torch-source)");
        }
        Sequential model = Lenet5.convert(in, out, modelOptions.options(), new SaveOptions(to, variant));
        String torchText = torch ? TorchSyntax.format(model) : null;
        stdout.printf("wrote %s (%s -> %s)%n", out, model.info().format(), ext);
        if (torch && !noTorchSource) {
            String script = pythonLoader(torchText, out.getFileName().toString(), in);
            AtomicFiles.write(py, o -> o.write(script.getBytes(StandardCharsets.UTF_8)));
            stdout.println("wrote " + py + " (the matching torch.nn.Sequential; run it to load the weights)");
        }
        if (torch && printTorch) {
            stdout.println(torchText);
        }
        if (noVerify) {
            return Main.EXIT_OK;
        }
        LoadOptions back = LoadOptions.DEFAULTS.withInputShape(model.inputShape());
        if (torch) {
            back = back.withArchitecture(TorchSyntax.parse(torchText, model.inputShape()));
        }
        Sequential written = Lenet5.load(out, back);
        Comparison c = Comparison.run(model, written, 16, 0);
        boolean bits = sameWeightBits(model, written);
        stdout.printf(Locale.ROOT, "verified on 16 random inputs: max_abs_diff: %.3e, max_rel_diff: %.3e, argmax_agreement: %d/%d, weights bit-identical: %s%n",
                c.output().maxAbs(), c.output().maxRel(), c.output().argmaxAgreement(), c.output().rows(), bits ? "yes" : "no");
        if (!c.within(tolerance)) {
            spec.commandLine().getErr().printf("error: %s: the written model's outputs differ from the source's by %.3e (tolerance %.1e)%n",
                    out, c.output().maxAbs(), tolerance);
            return Main.EXIT_DIFFERENT;
        }
        return Main.EXIT_OK;
    }

    private static boolean sameWeightBits(Sequential a, Sequential b) {
        var wa = a.weights();
        var wb = b.weights();
        if (wa.size() != wb.size()) {
            return false;
        }
        for (int i = 0; i < wa.size(); i++) {
            if (!wa.get(i).bitEquals(wb.get(i))) {
                return false;
            }
        }
        return true;
    }

    static String pythonLoader(String torchText, String weightsFile, Path source) {
        return "# Written by `lenet5 convert` from " + source.getFileName() + ".\n"
                + "# The state_dict in " + weightsFile + " loads into exactly this module.\n"
                + "import os\n"
                + "import torch\n\n"
                + "model = " + torchText + "\n\n"
                + "_weights = os.path.join(os.path.dirname(os.path.abspath(__file__)), " + pyString(weightsFile) + ")\n"
                + "model.load_state_dict(torch.load(_weights, weights_only=True))\n"
                + "model.eval()\n";
    }

    private static String pyString(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    static String extension(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot < 0 ? "" : n.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    static Path sibling(Path p, String newExt) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return p.resolveSibling((dot < 0 ? n : n.substring(0, dot)) + newExt);
    }
}
