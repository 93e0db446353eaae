package lenet5.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads a zip's entries with {@link ZipFile} and writes zips byte by byte. A hand-made writer,
 * because hostile archives need what {@link java.util.zip.ZipOutputStream} refuses to write:
 * duplicate names, names with {@code ../}, sizes that lie.
 */
public final class Zips {
    private Zips() {
    }

    /**
     * One entry to write.
     *
     * @param claimedSize when not negative, the compressed and uncompressed sizes the headers claim instead of the real ones
     */
    public record Entry(String name, byte[] data, boolean deflate, long claimedSize, Inflated inflated) {
        public Entry(String name, byte[] data, boolean deflate, long claimedSize) {
            this(name, data, deflate, claimedSize, null);
        }

        public Entry(String name, byte[] data) {
            this(name, data, false, -1);
        }

        public Entry withName(String n) {
            return new Entry(n, data, deflate, claimedSize, inflated);
        }

        public Entry withData(byte[] d) {
            return new Entry(name, d, deflate, claimedSize, null);
        }
    }

    /** For an entry whose {@code data} is already deflated: the size and CRC of what it inflates to. */
    public record Inflated(long size, long crc) {
    }

    /** Writes content to a stream. */
    public interface Content {
        void writeTo(java.io.OutputStream out) throws IOException;
    }

    /** A deflated entry whose content is streamed, so a huge (but compressible) entry never sits in memory whole. */
    public static Entry deflating(String name, Content content) {
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        CRC32 crc = new CRC32();
        long[] size = {0};
        Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
        try (java.io.OutputStream out = new java.util.zip.DeflaterOutputStream(compressed, d, 1 << 16) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                crc.update(b, off, len);
                size[0] += len;
                super.write(b, off, len);
            }

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }
        }) {
            java.io.BufferedOutputStream buffered = new java.io.BufferedOutputStream(out, 1 << 16);
            content.writeTo(buffered);
            buffered.flush();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            d.end();
        }
        return new Entry(name, compressed.toByteArray(), true, -1, new Inflated(size[0], crc.getValue()));
    }

    /** A deflated entry of {@code size} zero bytes. */
    public static Entry deflatedZeros(String name, long size) {
        return deflating(name, out -> {
            byte[] zeros = new byte[1 << 20];
            for (long left = size; left > 0; left -= zeros.length) {
                out.write(zeros, 0, (int) Math.min(zeros.length, left));
            }
        });
    }

    public static List<Entry> read(Path zip) throws IOException {
        List<Entry> out = new ArrayList<>();
        try (ZipFile z = new ZipFile(zip.toFile())) {
            Enumeration<? extends ZipEntry> e = z.entries();
            while (e.hasMoreElements()) {
                ZipEntry ze = e.nextElement();
                try (InputStream in = z.getInputStream(ze)) {
                    out.add(new Entry(ze.getName(), in.readAllBytes(), ze.getMethod() == ZipEntry.DEFLATED, -1));
                }
            }
        }
        return out;
    }

    /** A plain zip (no data descriptors, no Zip64) of the entries, in order, duplicates and odd names kept. */
    public static byte[] write(List<Entry> entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream central = new ByteArrayOutputStream();
        for (Entry e : entries) {
            byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
            byte[] stored = e.inflated() != null ? e.data() : e.deflate() ? deflate(e.data()) : e.data();
            CRC32 crc = new CRC32();
            crc.update(e.data());
            long crcValue = e.inflated() != null ? e.inflated().crc() : crc.getValue();
            long realSize = e.inflated() != null ? e.inflated().size() : e.data().length;
            long csize = e.claimedSize() >= 0 ? e.claimedSize() : stored.length;
            long usize = e.claimedSize() >= 0 ? e.claimedSize() : realSize;
            int method = e.deflate() ? 8 : 0;
            int offset = out.size();
            // Sizes of 4 GiB and more go in a Zip64 extra field, the 32-bit fields saying 0xFFFFFFFF.
            boolean zip64 = usize >= 0xFFFFFFFFL || csize >= 0xFFFFFFFFL;
            byte[] extra = new byte[0];
            if (zip64) {
                extra = le(20).putShort((short) 1).putShort((short) 16).putLong(usize).putLong(csize).array();
                usize = csize = 0xFFFFFFFFL;
            }
            ByteBuffer h = le(30 + name.length + extra.length);
            h.putInt(0x04034b50).putShort((short) (zip64 ? 45 : 20)).putShort((short) 0x0800).putShort((short) method)
                    .putInt(0).putInt((int) crcValue).putInt((int) csize).putInt((int) usize)
                    .putShort((short) name.length).putShort((short) extra.length).put(name).put(extra);
            out.writeBytes(h.array());
            out.writeBytes(stored);
            ByteBuffer c = le(46 + name.length + extra.length);
            c.putInt(0x02014b50).putShort((short) 45).putShort((short) (zip64 ? 45 : 20)).putShort((short) 0x0800)
                    .putShort((short) method).putInt(0).putInt((int) crcValue).putInt((int) csize).putInt((int) usize)
                    .putShort((short) name.length).putShort((short) extra.length).putShort((short) 0).putShort((short) 0)
                    .putShort((short) 0).putInt(0).putInt(offset).put(name).put(extra);
            central.writeBytes(c.array());
        }
        int cdOffset = out.size();
        out.writeBytes(central.toByteArray());
        ByteBuffer eocd = le(22);
        eocd.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) entries.size())
                .putShort((short) entries.size()).putInt(central.size()).putInt(cdOffset).putShort((short) 0);
        out.writeBytes(eocd.array());
        return out.toByteArray();
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] deflate(byte[] data) {
        Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        d.setInput(data);
        d.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        while (!d.finished()) {
            out.write(buf, 0, d.deflate(buf));
        }
        d.end();
        return out.toByteArray();
    }
}
