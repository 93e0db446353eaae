package lenet5.keras.archive;

import lenet5.CorruptFileException;
import lenet5.Lenet5Exception;
import lenet5.keras.Limits;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * The three entries of a Keras 3 {@code .keras} zip, read into memory. Entries are looked up by
 * their exact names and never extracted to disk, so hostile entry names ({@code ../x}, absolute
 * paths) have no effect; every entry's size is checked against a limit before and while reading,
 * because the size a zip declares can lie (zip bombs).
 *
 * @param metadata {@code metadata.json}, or {@code null} if absent (Keras does not need it to load)
 */
public record KerasArchive(byte[] config, byte[] metadata, byte[] weights) {
    public static final String CONFIG = "config.json";
    public static final String METADATA = "metadata.json";
    public static final String WEIGHTS = "model.weights.h5";

    /** A zip (judged from its first bytes) that has a Keras config or weights entry. */
    public static boolean looksLike(Path file, byte[] head) {
        if (head.length < 4 || head[0] != 'P' || head[1] != 'K' || head[2] != 3 || head[3] != 4) {
            return false;
        }
        try (ZipFile z = new ZipFile(file.toFile())) {
            return z.getEntry(CONFIG) != null || z.getEntry(WEIGHTS) != null;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    public static KerasArchive read(Path file) {
        try (ZipFile z = new ZipFile(file.toFile())) {
            if (z.size() > Limits.MAX_ZIP_ENTRIES) {
                throw new CorruptFileException(file, "the zip has " + z.size() + " entries, over the limit of "
                        + Limits.MAX_ZIP_ENTRIES);
            }
            return new KerasArchive(entry(file, z, CONFIG, Limits.MAX_JSON_BYTES, true),
                    entry(file, z, METADATA, Limits.MAX_JSON_BYTES, false),
                    entry(file, z, WEIGHTS, Limits.MAX_ZIP_WEIGHTS_BYTES, true));
        } catch (ZipException e) {
            throw new CorruptFileException(file, "damaged zip: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new Lenet5Exception(file, "cannot read: " + e.getMessage(), e);
        }
    }

    private static byte[] entry(Path file, ZipFile z, String name, long limit, boolean required) throws IOException {
        ZipEntry e = z.getEntry(name);
        if (e == null || e.isDirectory()) {
            if (required) {
                throw new CorruptFileException(file, "not a complete .keras file: the zip has no '" + name + "' entry");
            }
            return null;
        }
        if (e.getSize() > limit) {
            throw new CorruptFileException(file, "zip entry '" + name + "' declares " + e.getSize()
                    + " bytes, over the limit of " + limit);
        }
        try (InputStream in = z.getInputStream(e)) {
            byte[] data = in.readNBytes((int) Math.min(limit + 1, Integer.MAX_VALUE - 8));
            if (data.length > limit) {
                throw new CorruptFileException(file, "zip entry '" + name + "' inflates to more than " + limit
                        + " bytes (declared " + e.getSize() + ")");
            }
            return data;
        }
    }
}
