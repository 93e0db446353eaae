package lenet5.torch;

import lenet5.ArchitectureMismatchException;
import lenet5.CorruptFileException;
import lenet5.InvalidInputException;
import lenet5.Lenet5Exception;
import lenet5.UnrepresentableModelException;
import lenet5.UnsafeContentException;
import lenet5.UnsupportedFormatException;

import java.nio.file.Path;

/** Puts the file into exceptions raised by code that does not know it (layer checks, architecture parsing), keeping their type. */
final class Errors {
    private Errors() {
    }

    static Lenet5Exception withFile(Lenet5Exception e, Path file) {
        if (e.file() != null || file == null) {
            return e;
        }
        String m = e.problem();
        Lenet5Exception out;
        if (e instanceof UnsafeContentException) {
            out = new UnsafeContentException(file, m, e);
        } else if (e instanceof UnsupportedFormatException) {
            out = new UnsupportedFormatException(file, m, e);
        } else if (e instanceof CorruptFileException) {
            out = new CorruptFileException(file, m, e);
        } else if (e instanceof ArchitectureMismatchException) {
            out = new ArchitectureMismatchException(file, m, e);
        } else if (e instanceof UnrepresentableModelException) {
            out = new UnrepresentableModelException(file, m, e);
        } else if (e instanceof InvalidInputException) {
            out = new InvalidInputException(file, m, e);
        } else {
            out = new Lenet5Exception(file, m, e);
        }
        return out;
    }
}
