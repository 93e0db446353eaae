package lenet5;

import java.nio.file.Path;

/** Weights and architecture do not fit: a missing or extra weight, a shape that does not match the layer, an architecture that cannot be inferred. */
public class ArchitectureMismatchException extends Lenet5Exception {
    public ArchitectureMismatchException(String message) {
        super(null, message, null);
    }

    public ArchitectureMismatchException(Path file, String message) {
        super(file, message, null);
    }

    public ArchitectureMismatchException(Path file, String message, Throwable cause) {
        super(file, message, cause);
    }
}
