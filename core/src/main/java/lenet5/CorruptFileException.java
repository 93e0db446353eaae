package lenet5;

import java.nio.file.Path;

/** The file is damaged or not what it claims to be: truncated, inconsistent sizes, bad structure. */
public class CorruptFileException extends Lenet5Exception {
    public CorruptFileException(String message) {
        super(null, message, null);
    }

    public CorruptFileException(Path file, String message) {
        super(file, message, null);
    }

    public CorruptFileException(Path file, String message, Throwable cause) {
        super(file, message, cause);
    }
}
