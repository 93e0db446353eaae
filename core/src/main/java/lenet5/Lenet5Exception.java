package lenet5;

import java.nio.file.Path;

/**
 * Base of every exception this library throws on purpose. Unchecked, like jhdf's
 * {@code HdfException}: callers that want to handle bad files catch this one type, callers
 * that want detail catch a narrow subtype.
 *
 * <p>The message starts with the source it concerns (a file, a classpath resource, {@code <stream>}),
 * so a CLI can print {@code error: <message>} and the user knows which file and what is wrong.
 * Code deep inside a reader need not know the source: the format boundary names it once with
 * {@link #at(String, Path)}, keeping the exception's type.
 */
public class Lenet5Exception extends RuntimeException {
    private final String problem;
    private Path file;
    private String source;

    public Lenet5Exception(String message) {
        this(null, message, null);
    }

    public Lenet5Exception(Path file, String message) {
        this(file, message, null);
    }

    public Lenet5Exception(Path file, String message, Throwable cause) {
        super(message, cause);
        this.problem = message;
        this.file = file;
        this.source = file == null ? null : file.toString();
    }

    /**
     * Names the source of the problem unless it is already named (the innermost name wins: a
     * model file named inside an architecture file stays named). Returns this exception.
     *
     * @param name a file path, a resource name or {@code <stream>}
     * @param file the file, or {@code null} for a source that is not one
     */
    public Lenet5Exception at(String name, Path file) {
        if (source == null) {
            this.source = name;
            this.file = file;
        }
        return this;
    }

    @Override
    public String getMessage() {
        return source == null ? problem : source + ": " + problem;
    }

    /** The file the problem is in, or {@code null} when it concerns no file (an array passed in, a stream, a resource). */
    public Path file() {
        return file;
    }

    /** Where the problem is (a file path, resource name or {@code <stream>}), or {@code null}. */
    public String source() {
        return source;
    }

    /** The problem without the source in front. */
    public String problem() {
        return problem;
    }
}
