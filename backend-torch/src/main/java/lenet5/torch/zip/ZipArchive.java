package lenet5.torch.zip;

import lenet5.CorruptFileException;
import lenet5.UnsafeContentException;
import lenet5.UnsupportedFormatException;
import lenet5.io.ZipReader;
import lenet5.spi.Source;
import lenet5.torch.storage.StorageRef;
import lenet5.torch.storage.StorageSource;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * A {@code torch.save} or TorchScript zip archive (PyTorch >= 1.6), read through core's
 * {@link ZipReader}, which takes sizes from the central directory (these files' STORED entries use
 * data descriptors) and works on files and on bytes in memory alike.
 *
 * <p>All entries sit under one folder whose name varies (the file's stem, or {@code archive/});
 * it is found from the single entry named {@code data.pkl}. Entry names with {@code ..} or an
 * absolute path are refused, and every entry's declared size is checked before it is read.
 */
public final class ZipArchive implements StorageSource {
    /** Largest pickle or text record read into memory. */
    public static final long MAX_RECORD = 64L << 20;
    /** Largest single tensor storage (one Java array). */
    public static final long MAX_STORAGE = Integer.MAX_VALUE - 8;
    static final int MAX_ENTRIES = 100_000;

    /** For messages; {@code null} for a source in memory (the format boundary names it). */
    private final Path file;
    private final ZipReader zip;
    private final String prefix;
    private final List<String> names;
    private final ByteOrder order;

    private ZipArchive(Path file, ZipReader zip, String prefix, List<String> names) {
        this.file = file;
        this.zip = zip;
        this.prefix = prefix;
        this.names = names;
        this.order = readByteOrder();
    }

    public static ZipArchive open(Source source) {
        Path file = source.path();
        ZipReader zip = ZipReader.open(source, MAX_ENTRIES);
        List<String> all = zip.names();
        for (String name : all) {
            checkName(file, name);
        }
        List<String> pickles = all.stream().filter(n -> n.equals("data.pkl") || n.endsWith("/data.pkl")).toList();
        if (pickles.isEmpty()) {
            throw new UnsupportedFormatException(file, "a zip archive without a data.pkl entry is not a PyTorch file"
                    + (all.isEmpty() ? " (the archive is empty)" : " (first entries: " + all.subList(0, Math.min(3, all.size())) + ")"));
        }
        if (pickles.size() > 1) {
            throw new CorruptFileException(file, "several data.pkl entries: " + pickles);
        }
        String pkl = pickles.get(0);
        String prefix = pkl.substring(0, pkl.length() - "data.pkl".length());
        List<String> rel = all.stream().filter(n -> n.startsWith(prefix)).map(n -> n.substring(prefix.length())).toList();
        return new ZipArchive(file, zip, prefix, rel);
    }

    /** Zip-slip and absolute names: never extracted here, but a file that has them is not a genuine torch archive. */
    private static void checkName(Path file, String name) {
        String n = name.replace('\\', '/');
        boolean dotdot = false;
        for (String seg : n.split("/")) {
            dotdot |= seg.equals("..");
        }
        if (dotdot || n.startsWith("/") || n.matches("^[A-Za-z]:.*") || n.indexOf('\0') >= 0) {
            throw new UnsafeContentException(file, "zip entry name '" + name.replace("\0", "\\0")
                    + "' points outside the archive (contains '..' or is absolute); refusing the file");
        }
    }

    /** The folder all entries sit in, e.g. {@code lenet5_tanh/} or {@code archive/}. */
    public String prefix() {
        return prefix;
    }

    /** Entry names relative to {@link #prefix()}. */
    public List<String> names() {
        return names;
    }

    public boolean has(String relName) {
        return zip.entry(prefix + relName) != null;
    }

    /** Reads one entry, at most {@code max} bytes, after checking its declared size. */
    public byte[] read(String relName, long max) {
        return zip.read(entry(prefix + relName), max);
    }

    private ZipReader.Entry entry(String name) {
        ZipReader.Entry e = zip.entry(name);
        if (e == null) {
            throw new CorruptFileException(file, "zip entry '" + name + "' is missing");
        }
        return e;
    }

    /** A small text record such as {@code version} or {@code byteorder}, trimmed; null if absent. */
    public String text(String relName) {
        if (!has(relName)) {
            return null;
        }
        return new String(read(relName, 4096), StandardCharsets.UTF_8).trim();
    }

    private ByteOrder readByteOrder() {
        String b = text("byteorder");
        if (b == null || b.equals("little")) {
            return ByteOrder.LITTLE_ENDIAN;
        }
        if (b.equals("big")) {
            return ByteOrder.BIG_ENDIAN;
        }
        throw new CorruptFileException(file, "byteorder record says '" + b + "', expected 'little' or 'big'");
    }

    @Override
    public ByteOrder order() {
        return order;
    }

    @Override
    public byte[] read(StorageRef ref, long from, long count) {
        String rel = "data/" + ref.key();
        long need;
        try {
            need = ref.rootBytes();
        } catch (ArithmeticException e) {
            throw new CorruptFileException(file, "storage '" + ref.key() + "' claims " + ref.rootNumel() + " elements, too many");
        }
        ZipReader.Entry e = zip.entry(prefix + rel);
        if (e == null) {
            throw new CorruptFileException(file, "storage '" + ref.key() + "' is referenced by the pickle but zip entry '"
                    + prefix + rel + "' is missing");
        }
        if (e.size() != need) {
            throw new CorruptFileException(file, "storage '" + ref.key() + "' claims " + ref.rootNumel() + " elements of "
                    + ref.dtype().pyName() + " (" + need + " bytes) but zip entry '" + e.name() + "' has " + e.size() + " bytes");
        }
        int size = ref.dtype().size();
        if (from < 0 || count < 0 || from + count > ref.rootNumel() || count * size > MAX_STORAGE) {
            throw new CorruptFileException(file, "storage '" + ref.key() + "': elements " + from + "+" + count + " cannot be read");
        }
        // A stored entry is read in place: memory follows what the tensor uses.
        return zip.read(e, from * size, (int) (count * size), MAX_STORAGE);
    }
}
