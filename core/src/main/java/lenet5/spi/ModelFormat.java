package lenet5.spi;

import lenet5.LoadOptions;
import lenet5.SaveOptions;
import lenet5.model.Sequential;
import lenet5.tensor.Shape;

import java.nio.file.Path;
import java.util.List;

/**
 * A file format backend, found with {@link java.util.ServiceLoader} (each backend module lists
 * its implementation in {@code META-INF/services/lenet5.spi.ModelFormat}). The core stays free
 * of format code; {@link lenet5.Lenet5} picks the backend that recognizes a file's content.
 */
public interface ModelFormat {
    /** Short name: {@code "pytorch"} or {@code "keras"}. */
    String name();

    /**
     * Whether this backend recognizes the source, judged from its content (mostly {@link Source#head()})
     * and, only to break ties, its name. Never throws for content it does not recognize.
     */
    boolean canRead(Source source);

    /**
     * Reads a model, converting it to the canonical layout. Throws a {@link lenet5.Lenet5Exception}
     * named after the source ({@link lenet5.Lenet5Exception#at}). Does not close the source.
     */
    Sequential read(Source source, LoadOptions options);

    /** Extensions this backend writes, lower case without the dot, e.g. {@code ["pt", "pth"]}. */
    List<String> writeExtensions();

    /** Writes atomically: on failure no partial file is left and an existing target is untouched. */
    void write(Sequential model, Path target, SaveOptions options);

    /**
     * Parses an architecture written as text in this framework's own language (PyTorch: the
     * {@code torch.nn.Sequential} constructor), for weights-only files. Returns {@code null} when
     * the text is not in that language; throws when it is but does not describe a valid model.
     *
     * @param inputShape the input (C,H,W), or {@code null} to infer it from the layers where they fix it
     */
    default Sequential parseArchitecture(String text, Shape inputShape) {
        return null;
    }

    /** The model's architecture as text {@link #parseArchitecture} reads back, or {@code null} if this backend has no such text. */
    default String architectureText(Sequential model) {
        return null;
    }

    /** The files {@link #writeCompanions} writes next to a model written to {@code target}; known before anything is written. */
    default List<Companion> companions(Path target, SaveOptions options) {
        return List.of();
    }

    /**
     * Writes the {@link #companions} of {@code model}, just written to {@code target}, atomically.
     *
     * @param sourceName where the model came from, for a comment in the file (a file name; text only)
     */
    default void writeCompanions(Sequential model, Path target, SaveOptions options, String sourceName) {
    }
}
