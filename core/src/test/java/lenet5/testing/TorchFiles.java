package lenet5.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Builds small PyTorch files from scratch, exactly as PyTorch 1.13 lays them out (see
 * ../shared/docs/pt-format.md), with every number a test may want to lie about exposed: a
 * state_dict of one tensor {@code "0.weight"} whose storage size, tensor size and stride, and
 * the bytes actually stored, are chosen independently. The honest version loads into
 * {@link #ARCH} (one Linear(1, 1, bias=False)), which proves the hostile versions reach the
 * code they target.
 */
public final class TorchFiles {
    /** Persistent-id and tensor-shape claims, and the storage bytes actually present. */
    public record Tensor1(long numel, long[] size, long[] stride, float[] data) {
        public static Tensor1 honest(float value) {
            return new Tensor1(1, new long[] {1, 1}, new long[] {1, 1}, new float[] {value});
        }

        public Tensor1 claiming(long claimedNumel, long... claimedSize) {
            return new Tensor1(claimedNumel, claimedSize, stride.length == claimedSize.length ? stride : ones(claimedSize.length), data);
        }
    }

    /** The architecture the honest file binds to. */
    public static final lenet5.model.Sequential ARCH = new lenet5.model.Sequential(lenet5.tensor.Shape.flat(1),
            List.of(lenet5.layers.Dense.of("0", 1, 1, false)), null);

    private TorchFiles() {
    }

    /** The state_dict pickle: {@code OrderedDict({'0.weight': _rebuild_tensor_v2(PID, 0, size, stride, False, OrderedDict())})}. */
    public static byte[] stateDictPickle(Tensor1 t, boolean legacy) {
        return stateDictPickle(t, legacy, p -> { });
    }

    /** The same, with {@code extra} writing more opcodes before STOP (e.g. a key, a payload and SETITEM). */
    public static byte[] stateDictPickle(Tensor1 t, boolean legacy, Consumer<Pickle> extra) {
        return stateDictPickle("0.weight", "FloatStorage", t.numel(), t.size(), t.stride(), legacy, extra);
    }

    /**
     * A state_dict {@code {key: tensor}} with one tensor in a storage of class {@code storageClass}
     * (e.g. {@code FloatStorage}, {@code LongStorage}) that claims {@code numel} elements; protocol 2,
     * zip ({@code ('storage', cls, '0', 'cpu', numel)}) or legacy (one more field) persistent ids.
     */
    public static byte[] stateDictPickle(String key, String storageClass, long numel, long[] size, long[] stride, boolean legacy,
            Consumer<Pickle> extra) {
        Pickle p = Pickle.proto(2).global("collections", "OrderedDict").ops(")R");
        p.str(key).global("torch._utils", "_rebuild_tensor_v2").ops("(");
        p.ops("(").str("storage").global("torch", storageClass).str("0").str("cpu").integer(numel);
        if (legacy) {
            p.ops("N");
        }
        p.ops("tQ").integer(0).intTuple(size).intTuple(stride).op(0x89)
                .global("collections", "OrderedDict").ops(")R").ops("tRs");
        extra.accept(p);
        return p.stop();
    }

    /** {@link #stateDictPickle(String, String, long, long[], long[], boolean, Consumer)} with key {@code w} and nothing more. */
    public static byte[] stateDict(String storageClass, long numel, long[] size, long[] stride, boolean legacy) {
        return stateDictPickle("w", storageClass, numel, size, stride, legacy, p -> { });
    }

    public static byte[] stateDict(long numel, long[] size, long[] stride, boolean legacy) {
        return stateDict("FloatStorage", numel, size, stride, legacy);
    }

    /** A zip-format .pt: {@code archive/data.pkl}, {@code archive/data/0}, {@code archive/version}. */
    public static byte[] zip(byte[] pickle, float[] storage) {
        return Zips.write(zipEntries("archive", pickle, Map.of("0", floats(storage))));
    }

    /** A torch.save-style zip: {@code prefix/data.pkl}, {@code prefix/data/<key>} for each storage, {@code prefix/version}. */
    public static byte[] zip(String prefix, byte[] pickle, Map<String, byte[]> storages) {
        return Zips.write(zipEntries(prefix, pickle, storages));
    }

    public static List<Zips.Entry> zipEntries(String prefix, byte[] pickle, float[] storage) {
        return zipEntries(prefix, pickle, Map.of("0", floats(storage)));
    }

    private static List<Zips.Entry> zipEntries(String prefix, byte[] pickle, Map<String, byte[]> storages) {
        List<Zips.Entry> e = new ArrayList<>();
        e.add(new Zips.Entry(prefix + "/data.pkl", pickle));
        storages.forEach((key, data) -> e.add(new Zips.Entry(prefix + "/data/" + key, data)));
        e.add(new Zips.Entry(prefix + "/version", "3\n".getBytes()));
        return e;
    }

    /**
     * A legacy .pt: magic, protocol version, sys_info and object pickles, the storage-key list,
     * then the storage record: {@code claimedCount} as int64 and the floats actually present.
     */
    public static byte[] legacy(byte[] objectPickle, long claimedCount, float[] storage) {
        return legacy(objectPickle, claimedCount, floats(storage), false);
    }

    /** The same with the record's bytes as given; written by a big-endian machine when {@code big} (sys_info says so, the count is big-endian). */
    public static byte[] legacy(byte[] objectPickle, long claimedCount, byte[] data, boolean big) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x80, 2, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9,
                0x20, 0x6a, (byte) 0xa8, 0x50, 0x19, 0x2e});
        out.writeBytes(Pickle.proto(2).integer(1001).stop());
        out.writeBytes(Pickle.proto(2).op('}').ops("(").str("protocol_version").integer(1001).str("little_endian").op(big ? 0x89 : 0x88)
                .str("type_sizes").op('}').ops("(").str("short").integer(2).str("int").integer(4).str("long").integer(4)
                .ops("uu").stop());
        out.writeBytes(objectPickle);
        out.writeBytes(Pickle.proto(2).ops("](").str("0").ops("e").stop());
        out.writeBytes(ByteBuffer.allocate(8).order(big ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN).putLong(claimedCount).array());
        out.writeBytes(data);
        return out.toByteArray();
    }

    /** Little-endian float32 bytes, as torch stores them. */
    public static byte[] floats(float... f) {
        ByteBuffer b = ByteBuffer.allocate(f.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(f);
        return b.array();
    }

    private static long[] ones(int n) {
        long[] s = new long[n];
        java.util.Arrays.fill(s, 1);
        return s;
    }
}
