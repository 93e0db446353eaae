package lenet5.cli;

import lenet5.LoadOptions;
import lenet5.model.Sequential;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;

import static lenet5.cli.Specs.option;

/** Options shared by commands that read one model. */
final class ModelOptions {
    String arch;
    String inputShape;
    String format;

    /** Adds --arch, --input-shape and --from to {@code spec}. */
    void addTo(CommandSpec spec) {
        spec.addOption(option("--arch", "ARCH", String.class, v -> arch = v,
                "Architecture for files without one (state_dicts, weights-only files): PyTorch text such as "
                        + "'Sequential(Conv2d(1, 6, 5), Tanh(), ...)', @FILE holding such text, or another model file."));
        spec.addOption(option("--input-shape", "CxHxW", String.class, v -> inputShape = v,
                "Input shape when the file does not record it (default 1x28x28)."));
        spec.addOption(option("--from", "FORMAT", String.class, v -> format = v,
                "Force the reader: pytorch or keras (default: detect from the content)."));
    }

    Sequential load(Path file) {
        return ModelSource.load(file, arch, inputShape, format);
    }

    LoadOptions options() {
        return ModelSource.options(arch, inputShape, format);
    }
}
