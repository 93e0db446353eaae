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
        super(Text.oneLine(message), cause);
        this.problem = Text.oneLine(message); // file text in messages: escaped, capped, one line
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
        return source == null ? problem : Text.escape(source, 4096) + ": " + problem;
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

    /**
     * The one place where an {@link Error} raised while working on a source becomes a
     * {@link Lenet5Exception} naming it: budgets and checks refuse hostile files before they get
     * this far, so this is the last line for an exhausted stack or heap (which unwinding has
     * already freed). Other throwables pass unchanged.
     */
    public static RuntimeException of(String name, Path file, Throwable t) {
        if (t instanceof Lenet5Exception e) {
            return name == null ? e : e.at(name, file);
        }
        Lenet5Exception mapped;
        if (t instanceof StackOverflowError) {
            StackTraceElement[] at = t.getStackTrace();
            String where = at.length == 0 ? "" : " in " + at[0].getClassName().substring(at[0].getClassName().lastIndexOf('.') + 1);
            mapped = new UnsupportedFormatException(null, "structures nested deeper than the stack allows (StackOverflowError" + where + ")", t);
        } else if (t instanceof OutOfMemoryError) {
            mapped = new UnsupportedFormatException(null, String.format("needs more memory than this JVM's maximum heap of %,d MiB "
                    + "(OutOfMemoryError)", Runtime.getRuntime().maxMemory() >> 20), t);
        } else if (t instanceof RuntimeException r) {
            return r;
        } else if (t instanceof Error e) {
            throw e;
        } else {
            return new IllegalStateException(t);
        }
        return name == null ? mapped : mapped.at(name, file);
    }
}
