package lenet5.cli;

import lenet5.LoadOptions;
import lenet5.model.Sequential;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Options shared by commands that read one model. */
final class ModelOptions {
    @Option(names = "--arch", paramLabel = "ARCH",
            description = "Architecture for files without one (state_dicts, weights-only files): PyTorch text such as "
                    + "'Sequential(Conv2d(1, 6, 5), Tanh(), ...)', @FILE holding such text, or another model file.")
    String arch;

    @Option(names = "--input-shape", paramLabel = "CxHxW", description = "Input shape when the file does not record it (default 1x28x28).")
    String inputShape;

    @Option(names = "--from", paramLabel = "FORMAT", description = "Force the reader: pytorch or keras (default: detect from the content).")
    String format;

    Sequential load(Path file) {
        return ModelSource.load(file, arch, inputShape, format);
    }

    LoadOptions options() {
        return ModelSource.options(arch, inputShape, format);
    }
}
