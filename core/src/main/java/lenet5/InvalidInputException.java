package lenet5;

import java.nio.file.Path;

/** Input data for prediction is unusable: wrong IDX magic, image size that does not match the model, a raw file whose size is not a multiple of one image. */
public class InvalidInputException extends Lenet5Exception {
    public InvalidInputException(String message) {
        super(null, message, null);
    }

    public InvalidInputException(Path file, String message) {
        super(file, message, null);
    }

    public InvalidInputException(Path file, String message, Throwable cause) {
        super(file, message, cause);
    }
}
