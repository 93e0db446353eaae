package lenet5.torch.zip;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Writes a zip archive the way PyTorch's {@code PyTorchStreamWriter} lays it out: every entry
 * STORED, its data starting at a multiple of 64 bytes (a padding extra field with ID
 * {@code 0x4246}, "FB"), so that PyTorch can memory-map tensors. Sizes and CRCs are written in
 * the local headers (no data descriptors), and the DOS date is fixed, so the output is
 * byte-for-byte reproducible. No Zip64: archives over 4 GiB are refused.
 */
public final class ZipWriter {
    private static final int ALIGN = 64;
    private static final int DOS_DATE = (1 << 5) | 1; // 1980-01-01, the zip epoch

    private record Entry(String name, byte[] data, long offset, int crc) {
    }

    private final OutputStream out;
    private final List<Entry> entries = new ArrayList<>();
    private long written;

    public ZipWriter(OutputStream out) {
        this.out = out;
    }

    public void add(String name, byte[] data) throws IOException {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        CRC32 crc = new CRC32();
        crc.update(data);
        long offset = written;
        int pad = (int) ((ALIGN - (offset + 30 + n.length + 4) % ALIGN) % ALIGN);
        ByteArrayOutputStream h = new ByteArrayOutputStream();
        le32(h, 0x04034b50);
        le16(h, 20);
        le16(h, 0x0800); // names are UTF-8
        le16(h, 0); // STORED
        le16(h, 0);
        le16(h, DOS_DATE);
        le32(h, (int) crc.getValue());
        le32(h, data.length);
        le32(h, data.length);
        le16(h, n.length);
        le16(h, 4 + pad);
        h.write(n);
        le16(h, 0x4246);
        le16(h, pad);
        h.write(new byte[pad]);
        write(h.toByteArray());
        write(data);
        entries.add(new Entry(name, data, offset, (int) crc.getValue()));
        if (written > 0xffffffffL - 1024) {
            throw new IOException("archive larger than 4 GiB; this writer does not write Zip64");
        }
    }

    /** Writes the central directory and the end record. */
    public void finish() throws IOException {
        long start = written;
        for (Entry e : entries) {
            byte[] n = e.name().getBytes(StandardCharsets.UTF_8);
            ByteArrayOutputStream h = new ByteArrayOutputStream();
            le32(h, 0x02014b50);
            le16(h, 20);
            le16(h, 20);
            le16(h, 0x0800);
            le16(h, 0);
            le16(h, 0);
            le16(h, DOS_DATE);
            le32(h, e.crc());
            le32(h, e.data().length);
            le32(h, e.data().length);
            le16(h, n.length);
            le16(h, 0);
            le16(h, 0);
            le16(h, 0);
            le16(h, 0);
            le32(h, 0);
            le32(h, (int) e.offset());
            h.write(n);
            write(h.toByteArray());
        }
        ByteArrayOutputStream h = new ByteArrayOutputStream();
        le32(h, 0x06054b50);
        le16(h, 0);
        le16(h, 0);
        le16(h, entries.size());
        le16(h, entries.size());
        le32(h, (int) (written - start));
        le32(h, (int) start);
        le16(h, 0);
        write(h.toByteArray());
        out.flush();
    }

    private void write(byte[] b) throws IOException {
        out.write(b);
        written += b.length;
    }

    private static void le16(ByteArrayOutputStream o, int v) {
        o.write(v & 0xff);
        o.write((v >>> 8) & 0xff);
    }

    private static void le32(ByteArrayOutputStream o, int v) {
        le16(o, v & 0xffff);
        le16(o, (v >>> 16) & 0xffff);
    }
}
