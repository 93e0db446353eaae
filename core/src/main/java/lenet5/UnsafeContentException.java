package lenet5;

import java.nio.file.Path;

/** The file asks for something a data reader must never do, such as a pickle that references a global outside the allowlist (os.system, builtins.eval). Nothing was executed. */
public class UnsafeContentException extends UnsupportedFormatException {
    public UnsafeContentException(String message) {
        super(null, message, null);
    }

    public UnsafeContentException(Path file, String message) {
        super(file, message, null);
    }

    public UnsafeContentException(Path file, String message, Throwable cause) {
        super(file, message, cause);
    }
}
