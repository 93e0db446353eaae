package lenet5.torch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Hand-made pickles, zips and legacy files for tests, byte by byte (including hostile ones). */
final class Bytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static Bytes proto(int v) {
        return new Bytes().op(0x80).op(v);
    }

    Bytes op(int... b) {
        for (int x : b) {
            out.write(x);
        }
        return this;
    }

    Bytes ops(String s) {
        out.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
        return this;
    }

    Bytes global(String module, String name) {
        return ops("c" + module + "\n" + name + "\n");
    }

    /** SHORT_BINUNICODE, protocol 4. */
    Bytes shortStr(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        op(0x8c, b.length);
        out.writeBytes(b);
        return this;
    }

    /** BINUNICODE. */
    Bytes str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        op('X').le32(b.length);
        out.writeBytes(b);
        return this;
    }

    Bytes le32(long v) {
        for (int i = 0; i < 4; i++) {
            out.write((int) (v >>> (8 * i)) & 0xff);
        }
        return this;
    }

    Bytes le64(long v) {
        for (int i = 0; i < 8; i++) {
            out.write((int) (v >>> (8 * i)) & 0xff);
        }
        return this;
    }

    /** An int: BININT1, BININT or LONG1 as needed. */
    Bytes integer(long v) {
        if (v >= 0 && v < 256) {
            return op('K', (int) v);
        }
        if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            return op('J').le32(v);
        }
        return op(0x8a, 8).le64(v);
    }

    Bytes raw(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    /** STOP, and the bytes so far. */
    byte[] stop() {
        return op('.').bytes();
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    /**
     * A state_dict {@code {'w': tensor}} with one float32 tensor of the given size and stride in a
     * storage that claims {@code numel} elements; protocol 2, zip or legacy persistent ids.
     */
    static byte[] stateDict(long numel, long[] size, long[] stride, boolean legacy) {
        return stateDict("FloatStorage", numel, size, stride, legacy);
    }

    static byte[] stateDict(String storageClass, long numel, long[] size, long[] stride, boolean legacy) {
        Bytes b = proto(2).global("collections", "OrderedDict").op(')').op('R').op('(').str("w")
                .global("torch._utils", "_rebuild_tensor_v2").op('(')
                .op('(').str("storage").global("torch", storageClass).str("0").str("cpu").integer(numel);
        if (legacy) {
            b.op('N');
        }
        b.op('t').op('Q').integer(0).op('(');
        for (long s : size) {
            b.integer(s);
        }
        b.op('t').op('(');
        for (long s : stride) {
            b.integer(s);
        }
        return b.op('t').op(0x89).global("collections", "OrderedDict").op(')').op('R').op('t').op('R').op('u').stop();
    }

    /** A torch.save-style zip: {@code prefix/data.pkl}, {@code prefix/data/<k>}, {@code prefix/version}. */
    static byte[] zip(String prefix, byte[] pickle, Map<String, byte[]> storages) {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bo)) {
            z.putNextEntry(new ZipEntry(prefix + "/data.pkl"));
            z.write(pickle);
            for (Map.Entry<String, byte[]> e : storages.entrySet()) {
                z.putNextEntry(new ZipEntry(prefix + "/data/" + e.getKey()));
                z.write(e.getValue());
            }
            z.putNextEntry(new ZipEntry(prefix + "/version"));
            z.write("3\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bo.toByteArray();
    }

    /** A legacy file: magic, protocol, sys_info, the object pickle, the key list ['0'], then one storage record. */
    static byte[] legacy(byte[] objectPickle, long recordCount, byte[] data) {
        return legacy(objectPickle, recordCount, data, false);
    }

    /** The same, written by a big-endian machine when {@code big}: sys_info says so, and the count is big-endian. */
    static byte[] legacy(byte[] objectPickle, long recordCount, byte[] data, boolean big) {
        Bytes b = new Bytes().op(0x80, 2, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19);
        b.stop();
        b.op(0x80, 2).op('M', 0xe9, 0x03).stop();
        b.op(0x80, 2).op('}').str("little_endian").op(big ? 0x89 : 0x88).op('s').stop();
        b.raw(objectPickle);
        b.op(0x80, 2).op(']').str("0").op('a').stop();
        return (big ? b.raw(java.nio.ByteBuffer.allocate(8).putLong(recordCount).array()) : b.le64(recordCount)).raw(data).bytes();
    }

    static byte[] floats(float... v) {
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(v.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            bb.putFloat(f);
        }
        return bb.array();
    }
}
