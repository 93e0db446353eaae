package lenet5.cli;

import lenet5.Lenet5;
import lenet5.Lenet5Exception;
import lenet5.LoadOptions;
import lenet5.SaveOptions;
import lenet5.compare.Comparison;
import lenet5.model.Sequential;
import lenet5.spi.Companion;
import lenet5.spi.ModelFormat;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import static lenet5.cli.Specs.flag;
import static lenet5.cli.Specs.option;
import static lenet5.cli.Specs.positional;

final class ConvertCommand implements Callable<Integer> {
    Path in;
    Path out;
    final ModelOptions modelOptions = new ModelOptions();
    String to;
    String variant;
    boolean printTorch;
    boolean noTorchSource;
    boolean noVerify;
    double tolerance;

    final CommandSpec spec = Specs.command(this, "convert", new String[] {
            "Convert a model between PyTorch and Keras. The input format is detected from the content, the output format",
            "from OUT's extension: .pt/.pth a PyTorch state_dict (plus OUT's name with .py: the matching torch.nn.Sequential",
            "and the lines that load the weights), .h5 a Keras legacy HDF5 model, .keras a Keras 3 zip.",
            "The written file is read back and compared with the source on random inputs; exit code 1 if they differ."})
            .addPositional(positional("0", "IN", Path.class, v -> in = v))
            .addPositional(positional("1", "OUT", Path.class, v -> out = v))
            .addOption(option("--to", "FORMAT", String.class, v -> to = v, "Output format regardless of OUT's extension: pt, h5 or keras."))
            .addOption(option("--variant", "NAME", String.class, v -> variant = v,
                    "Format-specific variant, e.g. 'full' for a PyTorch full-model pickle."))
            .addOption(flag("--print-torch", v -> printTorch = v, "Also print the torch.nn.Sequential definition on stdout (for .pt output)."))
            .addOption(flag("--no-torch-source", v -> noTorchSource = v, "Do not write the .py file next to a .pt output."))
            .addOption(flag("--no-verify", v -> noVerify = v, "Skip reading the output back and comparing it with the source."))
            .addOption(option("--tolerance", "T", Double.class, "1e-5", v -> tolerance = v,
                    "Largest absolute output difference the verification accepts (default: ${DEFAULT-VALUE})."));

    {
        modelOptions.addTo(spec);
    }

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        String ext = to != null ? to.toLowerCase(Locale.ROOT) : extension(out);
        SaveOptions saveOptions = new SaveOptions(to, variant);
        ModelFormat writer = Lenet5.writerFor(out, saveOptions);
        List<Companion> companions = noTorchSource ? List.of() : writer.companions(out, saveOptions);
        for (Companion c : companions) {
            if (c.file().toAbsolutePath().normalize().equals(out.toAbsolutePath().normalize())) {
                throw new Lenet5Exception(out, "refusing to convert: the companion file " + c.file() + " (" + c.description()
                        + ") would overwrite the weights written to the same name (give OUT a .pt or .pth name, or --no-torch-source)");
            }
            if (sameFile(in, c.file())) {
                throw new Lenet5Exception(in, "refusing to convert: the companion file " + c.file() + " (" + c.description()
                        + ") would overwrite this input file (choose another output name or --no-torch-source)");
            }
        }
        Sequential model = Lenet5.convert(in, out, modelOptions.options(), saveOptions);
        String archText = writer.architectureText(model);
        stdout.printf("wrote %s (%s -> %s)%n", out, model.info().format(), ext);
        if (!companions.isEmpty()) {
            writer.writeCompanions(model, out, saveOptions, String.valueOf(in.getFileName()));
            companions.forEach(c -> stdout.println("wrote " + c.file() + " (" + c.description() + ")"));
        }
        if (printTorch && archText != null) {
            stdout.println(archText);
        }
        if (noVerify) {
            return Main.EXIT_OK;
        }
        LoadOptions back = LoadOptions.DEFAULTS.withInputShape(model.inputShape());
        if (archText != null) {
            // The written file may hold weights only (a state_dict): read it back the way its framework would.
            back = back.withArchitecture(writer.parseArchitecture(archText, model.inputShape()));
        }
        Sequential written = Lenet5.load(out, back);
        if (written.info().nativeLayout() != model.info().nativeLayout()) {
            // Same images, other memory order: a channels_first Keras model becomes channels_last, a PyTorch one NHWC in Keras.
            stdout.printf("input layout: the source takes %s, the written file %s (predict --layout follows each file's own)%n",
                    model.info().nativeLayout(), written.info().nativeLayout());
        }
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

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            throw new Lenet5Exception(b, "cannot check the path: " + e.getMessage(), e);
        }
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

    static String extension(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot < 0 ? "" : n.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
