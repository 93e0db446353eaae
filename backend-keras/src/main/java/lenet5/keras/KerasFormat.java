package lenet5.keras;

import lenet5.Lenet5Exception;
import lenet5.LoadOptions;
import lenet5.SaveOptions;
import lenet5.UnsupportedFormatException;
import lenet5.keras.archive.KerasArchive;
import lenet5.keras.h5.H5;
import lenet5.keras.read.KerasLoader;
import lenet5.keras.write.KerasWriter;
import lenet5.model.Sequential;
import lenet5.spi.ModelFormat;
import lenet5.spi.Source;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Keras files: legacy HDF5 models and weights of Keras 1, 2, tf.keras 2 and Keras 3, Keras 3
 * {@code .weights.h5} and {@code .keras} zips, and JSON architectures ({@code model.to_json()});
 * writes {@code .h5} (legacy layout) and {@code .keras}.
 */
public final class KerasFormat implements ModelFormat {
    @Override
    public String name() {
        return "keras";
    }

    @Override
    public boolean canRead(Source source) {
        byte[] head = source.head();
        return H5.isHdf5(source) || KerasArchive.looksLike(source) || looksLikeJsonConfig(head);
    }

    @Override
    public Sequential read(Source source, LoadOptions options) {
        try {
            if (H5.isHdf5(source)) {
                return KerasLoader.readHdf5(source, options);
            }
            if (KerasArchive.looksLike(source)) {
                return KerasLoader.readZip(source, options);
            }
            if (looksLikeJsonConfig(source.head())) {
                return KerasLoader.readJson(source, options);
            }
            throw new UnsupportedFormatException("not a Keras file (neither HDF5, nor a .keras zip, nor a JSON model config)");
        } catch (Lenet5Exception e) {
            throw e.at(source.name(), source.path());
        }
    }

    @Override
    public List<String> writeExtensions() {
        return List.of("h5", "keras");
    }

    @Override
    public void write(Sequential model, Path target, SaveOptions options) {
        String ext = options.format() != null ? options.format().toLowerCase(Locale.ROOT) : extension(target);
        try {
            switch (ext) {
                case "h5" -> KerasWriter.writeH5(model, target);
                case "keras" -> KerasWriter.writeKeras(model, target);
                default -> throw new UnsupportedFormatException(target, "the Keras backend writes .h5 and .keras, not '." + ext + "'");
            }
        } catch (Lenet5Exception e) {
            throw e.at(target.toString(), target);
        }
    }

    /** A JSON object that mentions {@code "class_name"} early, as every Keras model config does. */
    private static boolean looksLikeJsonConfig(byte[] head) {
        String s = new String(head, StandardCharsets.UTF_8).replace("\uFEFF", "").stripLeading();
        return s.startsWith("{") && s.contains("\"class_name\"");
    }

    private static String extension(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot < 0 ? "" : n.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
