package lenet5;

import java.nio.file.Path;

/** A model cannot be expressed in the target format (e.g. asymmetric padding where the target only has symmetric padding). */
public class UnrepresentableModelException extends Lenet5Exception {
    public UnrepresentableModelException(String message) {
        super(null, message, null);
    }

    public UnrepresentableModelException(Path file, String message) {
        super(file, message, null);
    }

    public UnrepresentableModelException(Path file, String message, Throwable cause) {
        super(file, message, cause);
    }
}
