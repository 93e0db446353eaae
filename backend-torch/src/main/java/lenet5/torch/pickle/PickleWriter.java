package lenet5.torch.pickle;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a protocol-2 pickle opcode by opcode, the way PyTorch's {@code torch.save} does (GLOBAL,
 * BINUNICODE, BININT*, MARK/TUPLE, BINPERSID, REDUCE, memoized globals). Plain values go through
 * {@link #value(Object)}; torch structures are assembled by the caller from {@link #global},
 * {@link #reduce()} and friends.
 */
public final class PickleWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Map<String, Integer> memoizedGlobals = new HashMap<>();
    private int memoSize;

    public PickleWriter() {
        out.write(0x80);
        out.write(2);
    }

    /** Ends the pickle with STOP and returns its bytes. */
    public byte[] finish() {
        out.write('.');
        return out.toByteArray();
    }

    public PickleWriter mark() {
        out.write('(');
        return this;
    }

    /** TUPLE: the items since the last {@link #mark()}. */
    public PickleWriter tuple() {
        out.write('t');
        return this;
    }

    /** TUPLE1: the top item becomes a one-item tuple. */
    public PickleWriter tuple1() {
        out.write(0x85);
        return this;
    }

    public PickleWriter emptyTuple() {
        out.write(')');
        return this;
    }

    public PickleWriter emptyDict() {
        out.write('}');
        return this;
    }

    public PickleWriter emptyList() {
        out.write(']');
        return this;
    }

    /** SETITEMS: the key/value pairs since the last {@link #mark()} go into the dict below them. */
    public PickleWriter setItems() {
        out.write('u');
        return this;
    }

    /** APPENDS: the items since the last {@link #mark()} go into the list below them. */
    public PickleWriter appends() {
        out.write('e');
        return this;
    }

    public PickleWriter reduce() {
        out.write('R');
        return this;
    }

    public PickleWriter newObj() {
        out.write(0x81);
        return this;
    }

    public PickleWriter build() {
        out.write('b');
        return this;
    }

    public PickleWriter binPersId() {
        out.write('Q');
        return this;
    }

    /** GLOBAL {@code module name}, memoized so that repeated globals cost two bytes, as in torch's pickles. */
    public PickleWriter global(String module, String name) {
        String key = module + "\n" + name + "\n";
        Integer idx = memoizedGlobals.get(key);
        if (idx != null) {
            return get(idx);
        }
        out.write('c');
        out.writeBytes(key.getBytes(StandardCharsets.UTF_8));
        int i = memoSize++;
        memoizedGlobals.put(key, i);
        return put(i);
    }

    private PickleWriter put(int i) {
        if (i < 256) {
            out.write('q');
            out.write(i);
        } else {
            out.write('r');
            le32(i);
        }
        return this;
    }

    private PickleWriter get(int i) {
        if (i < 256) {
            out.write('h');
            out.write(i);
        } else {
            out.write('j');
            le32(i);
        }
        return this;
    }

    public PickleWriter string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write('X');
        le32(b.length);
        out.writeBytes(b);
        return this;
    }

    public PickleWriter integer(long v) {
        if (v >= 0 && v < 256) {
            out.write('K');
            out.write((int) v);
        } else if (v >= 0 && v < 65536) {
            out.write('M');
            out.write((int) v & 0xff);
            out.write((int) (v >>> 8) & 0xff);
        } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            out.write('J');
            le32((int) v);
        } else {
            out.write(0x8a); // LONG1, 8 bytes little-endian two's complement
            out.write(8);
            for (int i = 0; i < 8; i++) {
                out.write((int) (v >>> (8 * i)) & 0xff);
            }
        }
        return this;
    }

    public PickleWriter bool(boolean b) {
        out.write(b ? 0x88 : 0x89);
        return this;
    }

    public PickleWriter none() {
        out.write('N');
        return this;
    }

    /** BINFLOAT: 8 bytes big-endian. */
    public PickleWriter floating(double d) {
        out.write('G');
        long bits = Double.doubleToLongBits(d);
        for (int i = 7; i >= 0; i--) {
            out.write((int) (bits >>> (8 * i)) & 0xff);
        }
        return this;
    }

    /** Plain values: str, int, float, bool, None, tuples, lists and dicts of them. */
    public PickleWriter value(Object v) {
        if (v instanceof String s) {
            return string(s);
        }
        if (v instanceof Integer || v instanceof Long) {
            return integer(((Number) v).longValue());
        }
        if (v instanceof Double || v instanceof Float) {
            return floating(((Number) v).doubleValue());
        }
        if (v instanceof Boolean b) {
            return bool(b);
        }
        if (v == null || v instanceof PyNone) {
            return none();
        }
        if (v instanceof PyTuple t) {
            if (t.size() == 0) {
                return emptyTuple();
            }
            mark();
            t.items().forEach(this::value);
            return tuple();
        }
        if (v instanceof List<?> l) {
            emptyList();
            if (!l.isEmpty()) {
                mark();
                l.forEach(this::value);
                appends();
            }
            return this;
        }
        if (v instanceof Map<?, ?> m) {
            emptyDict();
            if (!m.isEmpty()) {
                mark();
                m.forEach((k, x) -> {
                    value(k);
                    value(x);
                });
                setItems();
            }
            return this;
        }
        throw new IllegalArgumentException("cannot pickle a " + v.getClass().getSimpleName());
    }

    private void le32(int v) {
        out.write(v & 0xff);
        out.write((v >>> 8) & 0xff);
        out.write((v >>> 16) & 0xff);
        out.write((v >>> 24) & 0xff);
    }
}
