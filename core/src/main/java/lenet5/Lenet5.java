package lenet5;

import lenet5.compare.Comparison;
import lenet5.model.Sequential;
import lenet5.spi.ModelFormat;
import lenet5.spi.Source;
import lenet5.tensor.Shape;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;

/**
 * The entry point: load any supported model file, save to any supported format.
 *
 * <pre>{@code
 * Sequential model = Lenet5.load(Path.of("lenet5.pt"));
 * try (Predictor p = model.newPredictor(Layout.NCHW)) {   // the caller's array: N,C,H,W
 *     float[] probabilities = p.predict(image);
 * }
 * Lenet5.save(model, Path.of("lenet5.h5"));   // PyTorch -> Keras
 * Comparison c = Lenet5.compare(model, Lenet5.load(Path.of("lenet5.h5")), 16, 0);
 * System.out.println(c.output());              // max_abs_diff, max_rel_diff, argmax_agreement
 * }</pre>
 *
 * Backends (PyTorch, Keras) are discovered on the class path; see {@link ModelFormat}.
 */
public final class Lenet5 {
    private Lenet5() {
    }

    public static Sequential load(Path file) {
        return load(file, LoadOptions.DEFAULTS);
    }

    public static Sequential load(Path file, LoadOptions options) {
        try (Source source = Source.of(file)) {
            return load(source, options);
        }
    }

    /** A model file's bytes, e.g. downloaded or read from a database; errors call it {@code <bytes>}. */
    public static Sequential load(byte[] bytes) {
        return load(bytes, LoadOptions.DEFAULTS);
    }

    public static Sequential load(byte[] bytes, LoadOptions options) {
        return load(Source.of(bytes, "<bytes>"), options);
    }

    /** Reads {@code in} to its end (without closing it); errors call it {@code <stream>}. */
    public static Sequential load(InputStream in) {
        return load(in, LoadOptions.DEFAULTS);
    }

    public static Sequential load(InputStream in, LoadOptions options) {
        return load(Source.of(in, "<stream>"), options);
    }

    /**
     * A model shipped as a resource, found the way {@code anchor.getResourceAsStream(name)} finds
     * it (relative to the anchor's package unless {@code name} starts with {@code /}; on the module
     * path, in the anchor's module). Errors call it by {@code name}.
     */
    public static Sequential loadResource(Class<?> anchor, String name) {
        return loadResource(anchor, name, LoadOptions.DEFAULTS);
    }

    public static Sequential loadResource(Class<?> anchor, String name, LoadOptions options) {
        try (InputStream in = anchor.getResourceAsStream(name)) {
            if (in == null) {
                throw new Lenet5Exception("no such resource (looked up from " + anchor.getName() + ")").at(name, null);
            }
            return load(Source.of(in, name), options);
        } catch (IOException e) {
            throw new Lenet5Exception(null, "cannot read: " + e.getMessage(), e).at(name, null);
        }
    }

    /** Any source; the format is detected once, from its first bytes. Does not close the source. */
    public static Sequential load(Source source, LoadOptions options) {
        try {
            return formatFor(source, options).read(source, options);
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            throw Lenet5Exception.of(source.name(), source.path(), e);
        }
    }

    /** The backend that reads this source: the forced one from the options, or the one that recognizes its content. */
    public static ModelFormat formatFor(Source source, LoadOptions options) {
        List<ModelFormat> formats = formats();
        if (options.format() != null) {
            return byName(options.format(), formats);
        }
        for (ModelFormat f : formats) {
            if (f.canRead(source)) {
                return f;
            }
        }
        throw new UnsupportedFormatException("not a model file this build can read (readers: "
                + names(formats) + "); the first bytes are " + hex(source.head())).at(source.name(), source.path());
    }

    public static void save(Sequential model, Path target) {
        save(model, target, SaveOptions.DEFAULTS);
    }

    /** Writes {@code model}; the format comes from the options or from the target's extension. */
    public static void save(Sequential model, Path target, SaveOptions options) {
        try {
            writerFor(target, options).write(model, target, options);
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            throw Lenet5Exception.of(target.toString(), target, e);
        }
    }

    /** The backend that writes {@code target}: by the options' format, else by the target's extension. */
    public static ModelFormat writerFor(Path target, SaveOptions options) {
        String ext = options.format() != null ? options.format().toLowerCase(Locale.ROOT) : extension(target);
        for (ModelFormat f : formats()) {
            if (f.writeExtensions().contains(ext)) {
                return f;
            }
        }
        List<String> all = new ArrayList<>();
        formats().forEach(f -> all.addAll(f.writeExtensions()));
        throw new UnsupportedFormatException(target, "cannot tell the output format from '." + ext
                + "'; writable formats: " + all);
    }

    /**
     * An architecture written as text, for weights-only files ({@link LoadOptions#withArchitecture}):
     * PyTorch constructor text such as {@code "Sequential(Conv2d(1, 6, 5), Tanh(), AvgPool2d(2), ...)"}.
     * Each backend on the class path is asked in turn to read it.
     *
     * @param inputShape the input (C,H,W), or {@code null} to infer it where the layers fix it
     */
    public static Sequential architecture(String text, Shape inputShape) {
        for (ModelFormat f : formats()) {
            Sequential a = f.parseArchitecture(text, inputShape);
            if (a != null) {
                return a;
            }
        }
        throw new UnsupportedFormatException("no backend reads this architecture text (readers: " + names(formats())
                + "); expected e.g. 'Sequential(Conv2d(1, 6, 5), Tanh(), ...)'");
    }

    /** Reads {@code in} and writes it to {@code out} in the format of {@code out}'s extension; returns the model. */
    public static Sequential convert(Path in, Path out) {
        return convert(in, out, LoadOptions.DEFAULTS, SaveOptions.DEFAULTS);
    }

    /** Reads {@code in} and writes it to {@code out}, refusing to overwrite {@code in}; returns the model read. */
    public static Sequential convert(Path in, Path out, LoadOptions options, SaveOptions saveOptions) {
        try {
            if (Files.exists(out) && Files.isSameFile(in, out)) {
                throw new Lenet5Exception(out, "refusing to overwrite the input file");
            }
        } catch (IOException e) {
            throw new Lenet5Exception(out, "cannot check the output path: " + e.getMessage(), e);
        }
        Sequential model = load(in, options);
        save(model, out, saveOptions);
        return model;
    }

    /**
     * Feeds the same {@code samples} random inputs (uniform [0,1), seeded) to both models, each in
     * its native layout, and reports output and per-layer differences.
     */
    public static Comparison compare(Sequential a, Sequential b, int samples, long seed) {
        return Comparison.run(a, b, samples, seed);
    }

    /** Every backend on the class path (looked up once; backends are stateless). */
    public static List<ModelFormat> formats() {
        return Backends.ALL;
    }

    /** Holder: the ServiceLoader runs on first use, once. */
    private static final class Backends {
        static final List<ModelFormat> ALL = load();

        private static List<ModelFormat> load() {
            List<ModelFormat> list = new ArrayList<>();
            ServiceLoader.load(ModelFormat.class, Lenet5.class.getClassLoader()).forEach(list::add);
            return List.copyOf(list);
        }
    }

    private static ModelFormat byName(String name, List<ModelFormat> formats) {
        for (ModelFormat f : formats) {
            if (f.name().equalsIgnoreCase(name)) {
                return f;
            }
        }
        throw new UnsupportedFormatException("unknown format '" + name + "'; available: " + names(formats));
    }

    private static String names(List<ModelFormat> formats) {
        List<String> n = new ArrayList<>();
        formats.forEach(f -> n.add(f.name()));
        return n.isEmpty() ? "none on the class path" : String.join(", ", n);
    }

    static String extension(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot < 0 ? "" : n.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(8, b.length); i++) {
            sb.append(String.format("%02x ", b[i]));
        }
        return b.length == 0 ? "(empty file)" : sb.toString().trim();
    }
}
