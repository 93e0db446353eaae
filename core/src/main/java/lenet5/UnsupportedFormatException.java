package lenet5;

import java.nio.file.Path;

/** The file is readable but holds something this library does not support (a layer type, a dtype, a quantized model, a format generation). */
public class UnsupportedFormatException extends Lenet5Exception {
    public UnsupportedFormatException(String message) {
        super(null, message, null);
    }

    public UnsupportedFormatException(Path file, String message) {
        super(file, message, null);
    }

    public UnsupportedFormatException(Path file, String message, Throwable cause) {
        super(file, message, cause);
    }
}
