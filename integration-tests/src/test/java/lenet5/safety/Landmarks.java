package lenet5.safety;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The places in a model file where damage is most likely to reach a parser's corner cases:
 * zip records, pickle opcodes, HDF5 signatures and object-header messages, and the length,
 * size and dimension fields inside them. Found by scanning for signatures, not by trusting the
 * file, so it works on any bytes.
 */
final class Landmarks {
    /** An offset worth truncating at or damaging, with what is there (for case descriptions). */
    record Mark(int offset, String what) {
    }

    /** A little-endian integer field that holds a length, count, size, offset or dimension. */
    record Field(int offset, int width, String what) {
    }

    final List<Mark> marks = new ArrayList<>();
    final List<Field> fields = new ArrayList<>();
    /** Offsets of pickle opcodes (a subset of marks), for opcode swaps. */
    final List<Integer> pickleOps = new ArrayList<>();
    /** Offsets of ASCII digits inside embedded JSON (Keras configs), for same-length edits. */
    final List<Integer> jsonDigits = new ArrayList<>();

    private Landmarks() {
    }

    static Landmarks of(byte[] b) {
        Landmarks l = new Landmarks();
        l.scanZip(b);
        l.scanLegacyPickles(b);
        l.scanHdf5(b);
        l.scanJson(b);
        return l;
    }

    /** Marks deduplicated and in file order. */
    List<Mark> sortedMarks() {
        TreeMap<Integer, Mark> m = new TreeMap<>();
        for (Mark k : marks) {
            m.putIfAbsent(k.offset(), k);
        }
        return new ArrayList<>(m.values());
    }

    private void scanZip(byte[] b) {
        for (int i = 0; i + 4 <= b.length; i++) {
            if (b[i] != 'P' || b[i + 1] != 'K') {
                continue;
            }
            int sig = (b[i + 2] & 0xff) << 8 | (b[i + 3] & 0xff);
            switch (sig) {
                case 0x0304 -> {
                    mark(i, "zip local header");
                    field(i + 18, 4, "zip local compressed size");
                    field(i + 22, 4, "zip local uncompressed size");
                    field(i + 26, 2, "zip local name length");
                    field(i + 28, 2, "zip local extra length");
                    int nameLen = (int) PickleOps.le(b, i + 26, 2), extraLen = (int) PickleOps.le(b, i + 28, 2);
                    int data = i + 30 + nameLen + extraLen;
                    mark(data, "zip entry data");
                    if (nameLen > 0 && i + 30 + nameLen <= b.length
                            && new String(b, i + 30, nameLen, java.nio.charset.StandardCharsets.ISO_8859_1).endsWith(".pkl")) {
                        scanPickle(b, data);
                    }
                }
                case 0x0102 -> {
                    mark(i, "zip central directory header");
                    field(i + 20, 4, "zip central compressed size");
                    field(i + 24, 4, "zip central uncompressed size");
                    field(i + 28, 2, "zip central name length");
                    field(i + 30, 2, "zip central extra length");
                    field(i + 32, 2, "zip central comment length");
                    field(i + 42, 4, "zip central local header offset");
                }
                case 0x0506 -> {
                    mark(i, "zip end of central directory");
                    field(i + 8, 2, "zip EOCD entries on disk");
                    field(i + 10, 2, "zip EOCD total entries");
                    field(i + 12, 4, "zip EOCD directory size");
                    field(i + 16, 4, "zip EOCD directory offset");
                    field(i + 20, 2, "zip EOCD comment length");
                }
                case 0x0606 -> {
                    mark(i, "zip64 end of central directory");
                    field(i + 4, 8, "zip64 EOCD record size");
                    field(i + 32, 8, "zip64 EOCD total entries");
                    field(i + 40, 8, "zip64 EOCD directory size");
                    field(i + 48, 8, "zip64 EOCD directory offset");
                }
                case 0x0607 -> {
                    mark(i, "zip64 EOCD locator");
                    field(i + 8, 8, "zip64 locator EOCD offset");
                }
                case 0x0708 -> {
                    mark(i, "zip data descriptor");
                    field(i + 8, 4, "zip data descriptor compressed size");
                    field(i + 12, 4, "zip data descriptor uncompressed size");
                }
                default -> {
                }
            }
        }
    }

    /** Legacy torch files: several pickles back to back, then each storage as an int64 count and its bytes. */
    private void scanLegacyPickles(byte[] b) {
        if (b.length < 4 || (b[0] & 0xff) != 0x80 || (b[2] & 0xff) != 0x8a) {
            return;
        }
        int p = 0;
        while (p >= 0 && p < b.length && (b[p] & 0xff) == 0x80) {
            mark(p, "legacy pickle start");
            p = scanPickle(b, p);
        }
        for (int storage = 0; p >= 0 && p + 8 <= b.length; storage++) {
            long n = PickleOps.le(b, p, 8);
            mark(p, "legacy storage " + storage + " element count");
            field(p, 8, "legacy storage " + storage + " element count");
            if (n < 0 || n > b.length) {
                break;
            }
            p += 8 + (int) n * 4; // float32 fixtures; a wrong guess only ends the scan early
            mark(Math.min(p, b.length), "legacy storage " + storage + " end");
        }
    }

    private int scanPickle(byte[] b, int start) {
        PickleOps.Walk w = PickleOps.walk(b, start);
        for (PickleOps.Op op : w.ops()) {
            String name = String.format("pickle opcode 0x%02x", op.code());
            mark(op.offset(), name);
            pickleOps.add(op.offset());
            if (op.lengthWidth() > 0) {
                field(op.lengthOffset(), op.lengthWidth(), name + " length");
            }
            switch (op.code()) {
                case 'r', 'j' -> field(op.offset() + 1, 4, "pickle memo index");
                case 'q', 'h' -> field(op.offset() + 1, 1, "pickle memo index");
                case 'J' -> field(op.offset() + 1, 4, "pickle BININT");
                case 'M' -> field(op.offset() + 1, 2, "pickle BININT2");
                case 'K' -> field(op.offset() + 1, 1, "pickle BININT1");
                default -> {
                }
            }
        }
        return w.end();
    }

    private static final String[] HDF5_SIGNATURES = {"TREE", "HEAP", "SNOD", "GCOL", "OHDR", "OCHK", "FRHP", "FHDB",
            "BTHD", "BTLF", "BTIN", "FSHD", "FSSE"};

    private void scanHdf5(byte[] b) {
        int base = -1;
        for (int at = 0; at + 8 <= b.length && at <= 1 << 20; at = at == 0 ? 512 : at * 2) {
            if ((b[at] & 0xff) == 0x89 && b[at + 1] == 'H' && b[at + 2] == 'D' && b[at + 3] == 'F') {
                base = at;
                break;
            }
        }
        if (base < 0) {
            // HDF5 inside a .keras zip (model.weights.h5): still worth scanning its structures.
            base = indexOf(b, new byte[] {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'});
            if (base < 0) {
                return;
            }
        }
        mark(base, "hdf5 superblock");
        if (b.length > base + 8 && b[base + 8] == 0) { // superblock v0
            field(base + 13, 1, "hdf5 size of offsets");
            field(base + 14, 1, "hdf5 size of lengths");
            field(base + 16, 2, "hdf5 group leaf node K");
            field(base + 24, 8, "hdf5 base address");
            field(base + 40, 8, "hdf5 end of file address");
            field(base + 64, 8, "hdf5 root object header address");
        }
        for (int i = base; i + 4 <= b.length; i++) {
            for (String s : HDF5_SIGNATURES) {
                if (b[i] == s.charAt(0) && b[i + 1] == s.charAt(1) && b[i + 2] == s.charAt(2) && b[i + 3] == s.charAt(3)) {
                    mark(i, "hdf5 " + s);
                    if (s.equals("HEAP")) {
                        field(i + 8, 8, "hdf5 local heap data size");
                    } else if (s.equals("GCOL")) {
                        field(i + 8, 8, "hdf5 global heap collection size");
                    } else if (s.equals("TREE")) {
                        field(i + 6, 2, "hdf5 b-tree entries used");
                    } else if (s.equals("SNOD")) {
                        field(i + 6, 2, "hdf5 symbol table node entries");
                    }
                }
            }
            scanObjectHeaderMessage(b, i);
        }
    }

    /** Version-1 object header messages (h5py's default): dataspace, contiguous layout, datatype, continuation and attribute, recognised by shape and size. */
    private void scanObjectHeaderMessage(byte[] b, int i) {
        if (i + 16 > b.length || b[i + 1] != 0 || b[i + 5] != 0 || b[i + 6] != 0 || b[i + 7] != 0) {
            return;
        }
        int type = b[i] & 0xff;
        int size = (int) PickleOps.le(b, i + 2, 2);
        int body = i + 8;
        if (type == 1 && b[body] == 1) { // dataspace v1
            int rank = b[body + 1] & 0xff, flags = b[body + 2] & 0xff;
            int expected = 8 + rank * 8 * ((flags & 1) + 1);
            if (rank >= 1 && rank <= 8 && flags <= 3 && size == expected && b[body + 3] == 0 && body + expected <= b.length) {
                mark(i, "hdf5 dataspace message");
                for (int d = 0; d < rank; d++) {
                    field(body + 8 + 8 * d, 8, "hdf5 dataspace dim " + d);
                    if ((flags & 1) != 0) {
                        field(body + 8 + 8 * (rank + d), 8, "hdf5 dataspace max dim " + d);
                    }
                }
            }
        } else if (type == 8 && size == 24 && b[body] == 3 && b[body + 1] == 1) { // layout v3, contiguous
            mark(i, "hdf5 layout message");
            field(body + 2, 8, "hdf5 contiguous data address");
            field(body + 10, 8, "hdf5 contiguous data size");
        } else if (type == 3 && size >= 8 && size <= 64 && (b[body] & 0xf0) == 0x10) { // datatype v1
            mark(i, "hdf5 datatype message");
            field(body + 4, 4, "hdf5 datatype element size");
        } else if (type == 8 && b[body] == 3 && b[body + 1] == 2 && body + 3 + 8 + 4 * (b[body + 2] & 0xff) <= b.length) { // layout v3, chunked
            mark(i, "hdf5 chunked layout message");
            for (int d = 0; d < (b[body + 2] & 0xff); d++) { // the last is the element size
                field(body + 11 + 4 * d, 4, "hdf5 chunk dim " + d);
            }
        } else if (type == 0x10 && size == 16) { // object header continuation: where the header goes on, and how far
            mark(i, "hdf5 continuation message");
            field(body, 8, "hdf5 continuation address");
            field(body + 8, 8, "hdf5 continuation length");
        } else if (type == 0x0c && size >= 8) {
            mark(i, "hdf5 attribute message");
            field(body + 2, 2, "hdf5 attribute name size");
            field(body + 4, 2, "hdf5 attribute datatype size");
            field(body + 6, 2, "hdf5 attribute dataspace size");
        }
    }

    /** Digits inside JSON texts (Keras model_config / config.json), whether in an HDF5 heap or a stored zip entry. */
    private void scanJson(byte[] b) {
        scanJson(b, "{\"class_name\"");
        scanJson(b, "{\"module\"");
    }

    private void scanJson(byte[] b, String opening) {
        byte[] start = opening.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        for (int from = 0; ; ) {
            int s = indexOf(b, start, from);
            if (s < 0) {
                return;
            }
            int depth = 0, i = s;
            boolean inString = false;
            for (; i < b.length; i++) {
                byte c = b[i];
                if (inString) {
                    if (c == '\\') {
                        i++;
                    } else if (c == '"') {
                        inString = false;
                    }
                    continue;
                }
                if (c == '"') {
                    inString = true;
                } else if (c == '{' || c == '[') {
                    depth++;
                } else if (c == '}' || c == ']') {
                    if (--depth == 0) {
                        break;
                    }
                } else if (c >= '0' && c <= '9') {
                    jsonDigits.add(i);
                }
            }
            mark(s, "json config start");
            mark(Math.min(i, b.length), "json config end");
            from = i + 1;
        }
    }

    private void mark(int offset, String what) {
        marks.add(new Mark(offset, what));
    }

    private void field(int offset, int width, String what) {
        fields.add(new Field(offset, width, what));
    }

    static int indexOf(byte[] b, byte[] pattern) {
        return indexOf(b, pattern, 0);
    }

    static int indexOf(byte[] b, byte[] pattern, int from) {
        outer:
        for (int i = Math.max(0, from); i + pattern.length <= b.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (b[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
