package lenet5.torch.zip;

import lenet5.CorruptFileException;
import lenet5.UnsupportedFormatException;
import lenet5.spi.Source;
import lenet5.torch.pickle.PlainDataEnv;
import lenet5.torch.pickle.Py;
import lenet5.torch.pickle.PyDict;
import lenet5.torch.pickle.TorchPickleEnv;
import lenet5.torch.pickle.Unpickler;
import lenet5.torch.storage.StorageRef;
import lenet5.torch.storage.StorageSource;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The legacy (non-zip) {@code torch.save} format, {@code _use_new_zipfile_serialization=False}:
 * five pickles back to back (magic number, protocol version, sys_info, the object, the list of
 * storage keys), then for each key in that list an int64 element count and the raw elements.
 * There are no lengths to skip by, so the pickles are parsed in order (from a bounded prefix of
 * the file); the storage records are then located with positional reads and checked against the
 * sizes the object pickle declared. Storage bytes are read only when a tensor needs them.
 */
public final class LegacyArchive implements StorageSource {
    /** The magic number 0x1950a86a20f9469cfc6c as the first pickle writes it: PROTO 2, LONG1 with 10 bytes. */
    private static final byte[] HEAD = {(byte) 0x80, 0x02, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46,
            (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19};
    private static final BigInteger MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
    /** The pickles must fit in this many bytes at the start of the file. */
    static final int MAX_PICKLES = 64 << 20;

    private final Source source;
    /** For messages; {@code null} for a source in memory (the format boundary names it). */
    private final Path file;
    private final long fileSize;
    private final byte[] data;
    private final long protocolVersion;
    private final ByteOrder order;
    private final Object root;
    private final Map<String, Long> recordOffsets = new HashMap<>();

    /** Whether the first bytes are the legacy magic number (or as much of it as a truncated file still has, at least 4 bytes). */
    public static boolean matches(byte[] head) {
        int n = Math.min(head.length, HEAD.length);
        return n >= 4 && Arrays.equals(Arrays.copyOf(head, n), Arrays.copyOf(HEAD, n));
    }

    public static LegacyArchive open(Source source) {
        long size = source.size();
        return new LegacyArchive(source, size, source.read(0, (int) Math.min(size, MAX_PICKLES)));
    }

    private LegacyArchive(Source source, long fileSize, byte[] data) {
        this.source = source;
        this.file = source.path();
        this.fileSize = fileSize;
        this.data = data;
        Unpickler magic = new Unpickler(file, "legacy magic number pickle", data, new PlainDataEnv(file, "legacy magic number pickle"));
        Object m = magic.load();
        if (!MAGIC.equals(m instanceof Long l ? BigInteger.valueOf(l) : m)) {
            throw new CorruptFileException(file, "not a legacy torch file: the magic number is " + Py.describe(m));
        }
        int pos = magic.position();
        Unpickler proto = next(pos, "legacy protocol version pickle");
        Object pv = proto.load();
        if (!(pv instanceof Long v)) {
            throw new CorruptFileException(file, "legacy protocol version is " + Py.describe(pv) + ", not an int");
        }
        if (v != 1001) {
            throw new UnsupportedFormatException(file, "legacy protocol version " + v + " (this reader knows 1001)");
        }
        this.protocolVersion = v;
        Unpickler sys = next(proto.position(), "legacy sys_info pickle");
        Object info = sys.load();
        this.order = byteOrder(info);
        TorchPickleEnv env = new TorchPickleEnv(file, "legacy object pickle", true);
        Unpickler obj = new Unpickler(file, "legacy object pickle", data, sys.position(), data.length, env);
        this.root = obj.load();
        Unpickler keysPickle = next(obj.position(), "legacy storage key list pickle");
        Object keys = keysPickle.load();
        locateRecords(keys, keysPickle.position(), env.storages());
    }

    private Unpickler next(int pos, String part) {
        return new Unpickler(file, part, data, pos, data.length, new PlainDataEnv(file, part));
    }

    private ByteOrder byteOrder(Object info) {
        if (!(info instanceof PyDict d)) {
            throw new CorruptFileException(file, "legacy sys_info is a " + Py.typeName(info) + ", not a dict");
        }
        Object le = d.get("little_endian");
        if (le instanceof Boolean b) {
            return b ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
        }
        return ByteOrder.LITTLE_ENDIAN;
    }

    private void locateRecords(Object keys, int start, Map<String, StorageRef> declared) {
        if (!(keys instanceof List<?> list)) {
            throw new CorruptFileException(file, "legacy storage key list is a " + Py.typeName(keys) + ", not a list");
        }
        long pos = start;
        for (Object k : list) {
            if (!(k instanceof String key)) {
                throw new CorruptFileException(file, "legacy storage key list holds a " + Py.typeName(k));
            }
            StorageRef ref = declared.get(key);
            if (ref == null) {
                throw new CorruptFileException(file, "legacy storage '" + key + "' is listed but no tensor uses it");
            }
            if (fileSize - pos < 8) {
                throw new CorruptFileException(file, "the file is truncated: legacy storage '" + key + "' has no element count");
            }
            long numel = ByteBuffer.wrap(source.read(pos, 8)).order(order).getLong();
            if (numel != ref.rootNumel()) {
                throw new CorruptFileException(file, "legacy storage '" + key + "' record says " + numel
                        + " elements but the pickle declared " + ref.rootNumel());
            }
            long bytes = ref.rootBytes();
            if (bytes > fileSize - pos - 8) {
                throw new CorruptFileException(file, "the file is truncated: legacy storage '" + key + "' needs " + bytes
                        + " bytes at offset " + (pos + 8) + " but only " + (fileSize - pos - 8) + " remain");
            }
            if (recordOffsets.put(key, pos + 8) != null) {
                throw new CorruptFileException(file, "legacy storage '" + key + "' is listed twice");
            }
            pos += 8 + bytes;
        }
        for (String key : declared.keySet()) {
            if (!recordOffsets.containsKey(key)) {
                throw new CorruptFileException(file, "legacy storage '" + key + "' is used by a tensor but missing from the key list");
            }
        }
    }

    /** The unpickled object (a state_dict, a module, a checkpoint dict). */
    public Object root() {
        return root;
    }

    /** The legacy protocol version (1001). */
    public long protocolVersion() {
        return protocolVersion;
    }

    @Override
    public ByteOrder order() {
        return order;
    }

    @Override
    public byte[] read(StorageRef ref, long from, long count) {
        Long at = recordOffsets.get(ref.key());
        int size = ref.dtype().size();
        if (at == null) {
            throw new CorruptFileException(file, "legacy storage '" + ref.key() + "' has no data record");
        }
        if (from < 0 || count < 0 || from + count > ref.rootNumel() || count * size > Integer.MAX_VALUE - 8) {
            throw new CorruptFileException(file, "legacy storage '" + ref.key() + "': elements " + from + "+" + count + " cannot be read");
        }
        return source.read(at + from * size, (int) (count * size));
    }
}
