package lenet5.spi;

import lenet5.LoadOptions;
import lenet5.SaveOptions;
import lenet5.model.Sequential;

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

    /** Whether this backend recognizes the file, judged from its first bytes (up to 512) and, only to break ties, its name. */
    boolean canRead(Path file, byte[] head);

    /** Reads a model, converting it to the canonical layout. Throws a {@link lenet5.Lenet5Exception} naming the file. */
    Sequential read(Path file, LoadOptions options);

    /** Extensions this backend writes, lower case without the dot, e.g. {@code ["pt", "pth"]}. */
    List<String> writeExtensions();

    /** Writes atomically: on failure no partial file is left and an existing target is untouched. */
    void write(Sequential model, Path target, SaveOptions options);
}
