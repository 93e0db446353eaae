package lenet5.io;

import lenet5.CorruptFileException;
import lenet5.spi.Source;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Reads a zip archive from a {@link Source} (a file or bytes in memory), for the backends whose
 * files are zips ({@code torch.save}, TorchScript, {@code .keras}). Sizes come from the central
 * directory and are checked against the archive's size before anything is allocated; entries are
 * only ever looked up by name and read into memory, never extracted. Stored and deflated entries,
 * zip64 sizes and offsets. Errors are {@link CorruptFileException}s naming the source.
 */
public final class ZipReader {
    /** One central directory record. */
    public record Entry(String name, int method, long compressedSize, long size, long localHeader) {
    }

    private static final int EOCD = 0x06054b50, EOCD64 = 0x06064b50, EOCD64_LOCATOR = 0x07064b50;
    private static final int CENTRAL = 0x02014b50, LOCAL = 0x04034b50;
    private static final int STORED = 0, DEFLATED = 8;

    private final Source source;
    private final Map<String, Entry> entries;

    private ZipReader(Source source, Map<String, Entry> entries) {
        this.source = source;
        this.entries = entries;
    }

    /** Whether the bytes start with a local file header, as every zip these formats write does. */
    public static boolean isZip(byte[] head) {
        return head.length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
    }

    /** Reads the central directory, refusing more than {@code maxEntries} entries (judged before reading them). */
    public static ZipReader open(Source source, int maxEntries) {
        long size = source.size();
        int tail = (int) Math.min(size, 22 + 0xffff);
        ByteBuffer t = le(source.read(size - tail, tail));
        int at = -1;
        for (int i = tail - 22; i >= 0; i--) {
            if (t.getInt(i) == EOCD && i + 22 + (t.getShort(i + 20) & 0xffff) == tail) {
                at = i;
                break;
            }
        }
        if (at < 0) {
            throw corrupt(source, "not a readable zip archive: no end of central directory record");
        }
        long count = t.getShort(at + 10) & 0xffff;
        long cdSize = t.getInt(at + 12) & 0xffffffffL;
        long cdOffset = t.getInt(at + 16) & 0xffffffffL;
        long eocd = size - tail + at;
        if ((count == 0xffff || cdSize == 0xffffffffL || cdOffset == 0xffffffffL) && eocd >= 20) {
            ByteBuffer loc = le(source.read(eocd - 20, 20));
            if (loc.getInt(0) == EOCD64_LOCATOR) {
                long at64 = loc.getLong(8);
                if (at64 < 0 || at64 > size - 56) {
                    throw corrupt(source, "the zip64 end record points outside the archive");
                }
                ByteBuffer z = le(source.read(at64, 56));
                if (z.getInt(0) != EOCD64) {
                    throw corrupt(source, "no zip64 end of central directory record where the locator points");
                }
                count = z.getLong(32);
                cdSize = z.getLong(40);
                cdOffset = z.getLong(48);
            }
        }
        if (count > maxEntries) {
            throw corrupt(source, "more than " + maxEntries + " zip entries (" + count + " declared)");
        }
        if (cdOffset < 0 || cdSize < 0 || cdSize > Integer.MAX_VALUE - 8 || cdOffset > size - cdSize) {
            throw corrupt(source, "the central directory (" + cdSize + " bytes at " + cdOffset + ") lies outside the "
                    + size + "-byte archive");
        }
        ByteBuffer cd = le(source.read(cdOffset, (int) cdSize));
        Map<String, Entry> map = new LinkedHashMap<>();
        int p = 0;
        for (long i = 0; i < count; i++) {
            if (p > cd.limit() - 46 || cd.getInt(p) != CENTRAL) {
                throw corrupt(source, "central directory record " + i + " of " + count + " is damaged");
            }
            int method = cd.getShort(p + 10) & 0xffff;
            long csize = cd.getInt(p + 20) & 0xffffffffL, usize = cd.getInt(p + 24) & 0xffffffffL;
            int nameLen = cd.getShort(p + 28) & 0xffff, extraLen = cd.getShort(p + 30) & 0xffff, commentLen = cd.getShort(p + 32) & 0xffff;
            long local = cd.getInt(p + 42) & 0xffffffffL;
            int end = p + 46 + nameLen + extraLen + commentLen;
            if (end > cd.limit()) {
                throw corrupt(source, "central directory record " + i + " runs past the directory");
            }
            String name = new String(cd.array(), p + 46, nameLen, StandardCharsets.UTF_8);
            // zip64: the sizes and offset that are 0xffffffff follow, in this order, in extra field 0x0001.
            for (int x = p + 46 + nameLen; x + 4 <= p + 46 + nameLen + extraLen; ) {
                int id = cd.getShort(x) & 0xffff, len = cd.getShort(x + 2) & 0xffff;
                int q = x + 4, stop = Math.min(q + len, p + 46 + nameLen + extraLen);
                if (id == 1) {
                    if (usize == 0xffffffffL && q + 8 <= stop) {
                        usize = cd.getLong(q);
                        q += 8;
                    }
                    if (csize == 0xffffffffL && q + 8 <= stop) {
                        csize = cd.getLong(q);
                        q += 8;
                    }
                    if (local == 0xffffffffL && q + 8 <= stop) {
                        local = cd.getLong(q);
                    }
                }
                x += 4 + len;
            }
            if (map.putIfAbsent(name, new Entry(name, method, csize, usize, local)) != null) {
                throw corrupt(source, "zip entry '" + name + "' appears twice");
            }
            p = end;
        }
        return new ZipReader(source, Collections.unmodifiableMap(map));
    }

    /** Entry names in directory order. */
    public List<String> names() {
        return new ArrayList<>(entries.keySet());
    }

    /** The entry, or {@code null}. */
    public Entry entry(String name) {
        return entries.get(name);
    }

    /**
     * The uncompressed bytes of an entry, refusing one that declares more than {@code max}
     * before reading, and one whose data does not match its declared size.
     */
    public byte[] read(Entry e, long max) {
        if (e.size() < 0 || e.size() > Math.min(max, Source.MAX_BYTES)) {
            throw corrupt(source, "zip entry '" + e.name() + "' declares " + e.size() + " bytes, over the limit of "
                    + Math.min(max, Source.MAX_BYTES) + " this reader accepts for it");
        }
        long data = dataStart(e);
        if (e.method() == STORED) {
            if (e.compressedSize() != e.size()) {
                throw corrupt(source, "stored zip entry '" + e.name() + "' declares " + e.compressedSize() + " stored bytes but "
                        + e.size() + " bytes of content");
            }
            return source.read(data, (int) e.size());
        }
        if (e.method() != DEFLATED) {
            throw corrupt(source, "zip entry '" + e.name() + "' uses compression method " + e.method() + " (readable: stored, deflated)");
        }
        if (e.compressedSize() > source.size() - data) {
            throw corrupt(source, "zip entry '" + e.name() + "' declares " + e.compressedSize() + " compressed bytes, more than the archive holds");
        }
        // Memory follows the data actually inflated, not the size the entry declares (which can lie).
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(e.size(), 1 << 16));
        byte[] buf = new byte[1 << 16];
        Inflater inflater = new Inflater(true);
        try {
            long pos = data, left = e.compressedSize();
            while (!inflater.finished() && out.size() <= e.size()) {
                if (inflater.needsInput()) {
                    if (left == 0) {
                        break;
                    }
                    int chunk = (int) Math.min(left, buf.length);
                    inflater.setInput(source.read(pos, chunk));
                    pos += chunk;
                    left -= chunk;
                }
                int got = inflater.inflate(buf, 0, (int) Math.min(buf.length, e.size() + 1 - out.size()));
                if (got == 0 && inflater.needsDictionary()) {
                    break;
                }
                out.write(buf, 0, got);
            }
            if (out.size() != e.size()) {
                // One byte more means the entry inflates to more than it declares (a zip bomb's lie).
                throw corrupt(source, "zip entry '" + e.name() + "' inflates to " + (out.size() > e.size() ? "more than" : "only " + out.size() + " of")
                        + " the " + e.size() + " bytes it declares");
            }
            return out.toByteArray();
        } catch (DataFormatException ex) {
            throw corrupt(source, "zip entry '" + e.name() + "' is not valid deflate data: " + ex.getMessage());
        } finally {
            inflater.end();
        }
    }

    /**
     * {@code length} bytes from offset {@code from} of an entry's content: read in place for a
     * stored entry, so memory follows what the caller uses; a deflated one is inflated whole first.
     */
    public byte[] read(Entry e, long from, int length, long max) {
        if (from < 0 || length < 0 || from > e.size() - length) {
            throw corrupt(source, "zip entry '" + e.name() + "' has no bytes " + from + "+" + length + " (it declares " + e.size() + ")");
        }
        if (e.method() == STORED && e.compressedSize() == e.size()) {
            return source.read(dataStart(e) + from, length);
        }
        return java.util.Arrays.copyOfRange(read(e, max), (int) from, (int) from + length);
    }

    private long dataStart(Entry e) {
        if (e.localHeader() < 0 || e.localHeader() > source.size() - 30) {
            throw corrupt(source, "zip entry '" + e.name() + "' has its header outside the archive");
        }
        ByteBuffer h = le(source.read(e.localHeader(), 30));
        if (h.getInt(0) != LOCAL) {
            throw corrupt(source, "zip entry '" + e.name() + "' has no local header where the directory says");
        }
        return e.localHeader() + 30 + (h.getShort(26) & 0xffff) + (h.getShort(28) & 0xffff);
    }

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static CorruptFileException corrupt(Source s, String problem) {
        CorruptFileException e = new CorruptFileException(problem);
        e.at(s.name(), s.path());
        return e;
    }
}
