package lenet5.cli;

import lenet5.Lenet5;
import lenet5.LoadOptions;
import lenet5.model.Sequential;
import lenet5.tensor.Shape;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads a model file for a command, with the options every command shares for files that carry
 * no architecture (PyTorch state_dicts, Keras weights-only files).
 */
final class ModelSource {
    private ModelSource() {
    }

    /**
     * @param arch   {@code null}, a PyTorch constructor text such as {@code "Sequential(Conv2d(1, 6, 5), Tanh(), ...)"},
     *               {@code @file} holding such text, or the path of another model file whose architecture to use
     * @param shape  input shape CxHxW for architectures that do not fix it, or {@code null}
     * @param format forced reader name, or {@code null}
     */
    static Sequential load(Path file, String arch, String shape, String format) {
        return Lenet5.load(file, options(arch, shape, format));
    }

    static LoadOptions options(String arch, String shape, String format) {
        Shape input = shape == null ? null : Shape.parse(shape);
        return new LoadOptions(architecture(arch, input), input, format);
    }

    static Sequential architecture(String arch, Shape input) {
        if (arch == null) {
            return null;
        }
        String text = arch;
        if (arch.startsWith("@")) {
            text = fromScript(read(Path.of(arch.substring(1))));
        } else if (!arch.contains("(") && Files.isRegularFile(Path.of(arch))) {
            return Lenet5.load(Path.of(arch), LoadOptions.DEFAULTS.withInputShape(input));
        }
        return Lenet5.architecture(text, input); // null: inferred from the layers where they fix it
    }

    /**
     * The architecture in an @FILE: the text itself, or in a loader script such as the one
     * {@code lenet5 convert} writes next to a .pt, the expression on its {@code model = } line.
     */
    static String fromScript(String text) {
        for (String line : text.split("\n")) {
            if (line.startsWith("model = ")) {
                return line.substring("model = ".length()).strip();
            }
        }
        return text;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(p + ": cannot read architecture: " + e.getMessage(), e);
        }
    }
}
