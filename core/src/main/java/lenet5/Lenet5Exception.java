package lenet5;

import java.nio.file.Path;

/**
 * Base of every exception this library throws on purpose. Unchecked, like jhdf's
 * {@code HdfException}: callers that want to handle bad files catch this one type, callers
 * that want detail catch a narrow subtype.
 *
 * <p>The message always starts with the file it concerns (when there is one), so a CLI can
 * print {@code error: <message>} and the user knows which file and what is wrong.
 */
public class Lenet5Exception extends RuntimeException {
    private final Path file;

    public Lenet5Exception(String message) {
        this(null, message, null);
    }

    public Lenet5Exception(Path file, String message) {
        this(file, message, null);
    }

    public Lenet5Exception(Path file, String message, Throwable cause) {
        super(file == null ? message : file + ": " + message, cause);
        this.file = file;
    }

    /** The file the problem is in, or {@code null} when it concerns no file (e.g. an array passed in). */
    public Path file() {
        return file;
    }

    /** The problem without the file name in front. */
    public String problem() {
        String m = getMessage();
        String prefix = file == null ? null : file + ": ";
        return prefix != null && m.startsWith(prefix) ? m.substring(prefix.length()) : m;
    }
}
