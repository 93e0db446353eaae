package lenet5.torch.zip;

import lenet5.CorruptFileException;
import lenet5.UnsafeContentException;
import lenet5.UnsupportedFormatException;
import lenet5.torch.storage.StorageRef;
import lenet5.torch.storage.StorageSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A {@code torch.save} or TorchScript zip archive (PyTorch >= 1.6), read through
 * {@link ZipFile}, which takes sizes from the central directory. ({@code ZipInputStream} cannot
 * read these files: their STORED entries use data descriptors.)
 *
 * <p>All entries sit under one folder whose name varies (the file's stem, or {@code archive/});
 * it is found from the single entry named {@code data.pkl}. Entry names with {@code ..} or an
 * absolute path are refused, and every entry's declared size is checked before it is read.
 */
public final class ZipArchive implements StorageSource, AutoCloseable {
    /** Largest pickle or text record read into memory. */
    public static final long MAX_RECORD = 64L << 20;
    /** Largest single tensor storage (one Java array). */
    public static final long MAX_STORAGE = Integer.MAX_VALUE - 8;
    static final int MAX_ENTRIES = 100_000;

    private final Path file;
    private final ZipFile zip;
    private final String prefix;
    private final List<String> names;
    private final ByteOrder order;

    private ZipArchive(Path file, ZipFile zip, String prefix, List<String> names) {
        this.file = file;
        this.zip = zip;
        this.prefix = prefix;
        this.names = names;
        this.order = readByteOrder();
    }

    public static ZipArchive open(Path file) {
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (IOException e) {
            throw new CorruptFileException(file, "not a readable zip archive: " + e.getMessage(), e);
        }
        try {
            List<String> all = new ArrayList<>();
            Enumeration<? extends ZipEntry> en = zip.entries();
            while (en.hasMoreElements()) {
                String name = en.nextElement().getName();
                checkName(file, name);
                if (all.size() >= MAX_ENTRIES) {
                    throw new CorruptFileException(file, "more than " + MAX_ENTRIES + " zip entries");
                }
                all.add(name);
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
        } catch (RuntimeException e) {
            Closing.quietly(zip);
            throw e;
        }
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
        return zip.getEntry(prefix + relName) != null;
    }

    /** Reads one entry, at most {@code max} bytes, after checking its declared size. */
    public byte[] read(String relName, long max) {
        ZipEntry e = zip.getEntry(prefix + relName);
        if (e == null) {
            throw new CorruptFileException(file, "zip entry '" + prefix + relName + "' is missing");
        }
        long size = e.getSize();
        if (size < 0) {
            throw new CorruptFileException(file, "zip entry '" + e.getName() + "' has no declared size");
        }
        if (size > max) {
            throw new CorruptFileException(file, "zip entry '" + e.getName() + "' declares " + size
                    + " bytes, more than the " + max + " this reader accepts for it");
        }
        try (InputStream in = zip.getInputStream(e)) {
            byte[] b = in.readNBytes((int) size + 1);
            if (b.length != size) {
                throw new CorruptFileException(file, "zip entry '" + e.getName() + "' holds " + (b.length > size ? "more" : b.length)
                        + " bytes but declares " + size);
            }
            return b;
        } catch (IOException ex) {
            throw new CorruptFileException(file, "cannot read zip entry '" + e.getName() + "': " + ex.getMessage(), ex);
        }
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
        ZipEntry e = zip.getEntry(prefix + rel);
        if (e == null) {
            throw new CorruptFileException(file, "storage '" + ref.key() + "' is referenced by the pickle but zip entry '"
                    + prefix + rel + "' is missing");
        }
        if (e.getSize() != need) {
            throw new CorruptFileException(file, "storage '" + ref.key() + "' claims " + ref.rootNumel() + " elements of "
                    + ref.dtype().pyName() + " (" + need + " bytes) but zip entry '" + e.getName() + "' has " + e.getSize() + " bytes");
        }
        int size = ref.dtype().size();
        if (from < 0 || count < 0 || from + count > ref.rootNumel() || count * size > MAX_STORAGE) {
            throw new CorruptFileException(file, "storage '" + ref.key() + "': elements " + from + "+" + count + " cannot be read");
        }
        // Skipping streams through a DEFLATED entry without keeping it: memory follows what the tensor uses.
        try (InputStream in = zip.getInputStream(e)) {
            in.skipNBytes(from * size);
            byte[] b = in.readNBytes((int) (count * size));
            if (b.length != count * size) {
                throw new java.io.EOFException();
            }
            return b;
        } catch (java.io.EOFException ex) {
            throw new CorruptFileException(file, "zip entry '" + e.getName() + "' ends before the " + need + " bytes it declares", ex);
        } catch (IOException ex) {
            throw new CorruptFileException(file, "cannot read zip entry '" + e.getName() + "': " + ex.getMessage(), ex);
        }
    }

    @Override
    public void close() {
        Closing.quietly(zip);
    }

}
