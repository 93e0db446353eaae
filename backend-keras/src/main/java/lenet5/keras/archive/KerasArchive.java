package lenet5.keras.archive;

import lenet5.CorruptFileException;
import lenet5.Lenet5Exception;
import lenet5.io.ZipReader;
import lenet5.keras.Limits;
import lenet5.spi.Source;


/**
 * The three entries of a Keras 3 {@code .keras} zip, read into memory. Entries are looked up by
 * their exact names and never extracted to disk, so hostile entry names ({@code ../x}, absolute
 * paths) have no effect; every entry's size is checked against a limit before reading, and its
 * content against that size while reading, because the size a zip declares can lie (zip bombs).
 *
 * @param metadata {@code metadata.json}, or {@code null} if absent (Keras does not need it to load)
 */
public record KerasArchive(byte[] config, byte[] metadata, byte[] weights) {
    public static final String CONFIG = "config.json";
    public static final String METADATA = "metadata.json";
    public static final String WEIGHTS = "model.weights.h5";

    /** A zip (judged from its first bytes) that has a Keras config or weights entry. */
    public static boolean looksLike(Source source) {
        if (!ZipReader.isZip(source.head())) {
            return false;
        }
        try {
            ZipReader z = ZipReader.open(source, Limits.MAX_ZIP_ENTRIES);
            return z.entry(CONFIG) != null || z.entry(WEIGHTS) != null;
        } catch (Lenet5Exception e) {
            return false;
        }
    }

    public static KerasArchive read(Source source) {
        ZipReader z = ZipReader.open(source, Limits.MAX_ZIP_ENTRIES);
        return new KerasArchive(entry(z, CONFIG, Limits.MAX_JSON_BYTES, true),
                entry(z, METADATA, Limits.MAX_JSON_BYTES, false),
                entry(z, WEIGHTS, Limits.zipWeightsBytes(), true));
    }

    private static byte[] entry(ZipReader z, String name, long limit, boolean required) {
        ZipReader.Entry e = z.entry(name);
        if (e == null || name.endsWith("/")) {
            if (required) {
                throw new CorruptFileException("not a complete .keras file: the zip has no '" + name + "' entry");
            }
            return null;
        }
        return z.read(e, limit);
    }
}
