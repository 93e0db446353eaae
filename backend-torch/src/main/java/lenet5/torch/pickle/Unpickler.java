package lenet5.torch.pickle;

import lenet5.CorruptFileException;
import lenet5.Lenet5Exception;
import lenet5.UnsupportedFormatException;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A pickle virtual machine for protocols 0 to 5 that builds plain data only. It never looks up a
 * class or runs code: names, calls and persistent ids go to a {@link PickleEnv}, which decides
 * what they mean or refuses them.
 *
 * <p>Every size is checked before anything is allocated: string and byte lengths against the
 * bytes that remain, the stack, the MARK depth, the memo and the number of operations against
 * fixed budgets. A damaged or hostile stream ends in a {@link CorruptFileException} or
 * {@link UnsupportedFormatException} naming the file, the part and the byte offset.
 */
public final class Unpickler {
    /** Far above any real model pickle (LeNet-5 needs about 2,000 operations), far below what would exhaust memory. */
    public static final long MAX_OPS = 20_000_000L;
    public static final int MAX_STACK = 1_000_000;
    public static final int MAX_MARKS = 100_000;
    public static final int MAX_MEMO = 1_000_000;
    static final int MAX_LINE = 64 * 1024;
    static final int MAX_LONG_BYTES = 1024;
    /** Parts of one dict key (a tuple's items, recursively, each time they are reached): keys are names, not data. */
    static final int MAX_KEY_PARTS = 64;

    private final Path file;
    private final String part;
    private final byte[] buf;
    private final int end;
    private final PickleEnv env;
    private int pos;
    private int opStart;
    private long ops;
    private final ArrayList<Object> stack = new ArrayList<>();
    private int[] marks = new int[16];
    private int markDepth;
    private final Map<Long, Object> memo = new HashMap<>();

    /**
     * @param file  the file, for messages
     * @param part  what is being read, e.g. {@code data.pkl}, for messages
     * @param start where the pickle starts in {@code buf}
     * @param end   where the readable bytes end (a pickle may stop earlier; see {@link #position()})
     */
    public Unpickler(Path file, String part, byte[] buf, int start, int end, PickleEnv env) {
        if (start < 0 || end > buf.length || start > end) {
            throw new IllegalArgumentException("bad range " + start + ".." + end + " of " + buf.length);
        }
        this.file = file;
        this.part = part;
        this.buf = buf;
        this.pos = start;
        this.end = end;
        this.env = env;
    }

    public Unpickler(Path file, String part, byte[] buf, PickleEnv env) {
        this(file, part, buf, 0, buf.length, env);
    }

    /** Where the next byte after the STOP opcode is (after {@link #load()}); legacy torch files put several pickles in a row. */
    public int position() {
        return pos;
    }

    /** Runs the pickle up to its STOP opcode and returns the value it produced. */
    public Object load() {
        while (true) {
            if (pos >= end) {
                throw corrupt("the pickle is truncated: it ends without a STOP opcode");
            }
            opStart = pos;
            if (++ops > MAX_OPS) {
                throw corrupt("more than " + MAX_OPS + " pickle operations; refusing to continue");
            }
            int op = buf[pos++] & 0xff;
            switch (op) {
                case 0x80 -> { // PROTO
                    int v = u8();
                    if (v > 5) {
                        throw unsupported("pickle protocol " + v + " (this reader knows protocols 0 to 5)");
                    }
                }
                case 0x95 -> { // FRAME: only a hint for buffered readers
                    long n = u64();
                    if (n > end - pos) {
                        throw corrupt("FRAME claims " + n + " bytes but only " + (end - pos) + " remain");
                    }
                }
                case '.' -> { // STOP
                    Object result = pop("STOP");
                    if (markDepth != 0) {
                        throw corrupt("STOP with " + markDepth + " unclosed MARK(s)");
                    }
                    return result;
                }
                case '(' -> pushMark();
                case '0' -> { // POP
                    if (stack.size() > currentMarkBase()) {
                        stack.remove(stack.size() - 1);
                    } else {
                        popMark("POP");
                    }
                }
                case '1' -> popMark("POP_MARK");
                case '2' -> push(peek("DUP"));
                case 'N' -> push(PyNone.NONE);
                case 0x88 -> push(Boolean.TRUE);
                case 0x89 -> push(Boolean.FALSE);
                case 'K' -> push((long) u8());
                case 'M' -> push((long) (u8() | (u8() << 8)));
                case 'J' -> push((long) le32());
                case 0x8a -> push(longFromBytes(u8()));
                case 0x8b -> {
                    long n = le32();
                    if (n < 0 || n > MAX_LONG_BYTES) {
                        throw corrupt("LONG4 with " + n + " bytes; refusing integers longer than " + MAX_LONG_BYTES + " bytes");
                    }
                    push(longFromBytes((int) n));
                }
                case 'G' -> push(Double.longBitsToDouble(be64()));
                case 'I' -> push(parseIntLine(line()));
                case 'L' -> {
                    String s = line();
                    push(parseInteger(s.endsWith("L") ? s.substring(0, s.length() - 1) : s));
                }
                case 'F' -> {
                    String s = line();
                    try {
                        push(Double.parseDouble(s));
                    } catch (NumberFormatException e) {
                        throw corrupt("FLOAT with bad text " + Py.describe(s));
                    }
                }
                case 'X' -> push(utf8(le32u()));
                case 0x8c -> push(utf8(u8()));
                case 0x8d -> push(utf8(u64()));
                case 'V' -> push(TextEscapes.rawUnicodeEscape(line(StandardCharsets.ISO_8859_1)));
                case 'S' -> push(TextEscapes.pythonStringLiteral(line(), this::corrupt));
                case 'T' -> push(utf8(le32()));
                case 'U' -> push(utf8(u8()));
                case 'B' -> push(new PyBytes(bytes(le32u())));
                case 'C' -> push(new PyBytes(bytes(u8())));
                case 0x8e, 0x96 -> push(new PyBytes(bytes(u64())));
                case ')' -> push(PyTuple.EMPTY);
                case 0x85 -> push(PyTuple.of(pop("TUPLE1")));
                case 0x86 -> {
                    Object b = pop("TUPLE2");
                    Object a = pop("TUPLE2");
                    push(PyTuple.of(a, b));
                }
                case 0x87 -> {
                    Object c = pop("TUPLE3");
                    Object b = pop("TUPLE3");
                    Object a = pop("TUPLE3");
                    push(PyTuple.of(a, b, c));
                }
                case 't' -> push(new PyTuple(popMark("TUPLE")));
                case ']' -> push(new ArrayList<>());
                case 'l' -> push(new ArrayList<>(popMark("LIST")));
                case '}' -> push(new PyDict(false));
                case 'd' -> {
                    PyDict d = new PyDict(false);
                    putAll(d, popMark("DICT"), "DICT");
                    push(d);
                }
                case 0x8f -> push(new PySet(false));
                case 0x91 -> {
                    PySet s = new PySet(true);
                    s.items().addAll(popMark("FROZENSET"));
                    push(s);
                }
                case 'a' -> {
                    Object v = pop("APPEND");
                    listAt("APPEND").add(v);
                }
                case 'e' -> {
                    List<Object> items = popMark("APPENDS");
                    listAt("APPENDS").addAll(items);
                }
                case 's' -> {
                    Object v = pop("SETITEM");
                    Object k = pop("SETITEM");
                    putAll(dictAt("SETITEM"), List.of(k, v), "SETITEM");
                }
                case 'u' -> {
                    List<Object> items = popMark("SETITEMS");
                    putAll(dictAt("SETITEMS"), items, "SETITEMS");
                }
                case 0x90 -> {
                    List<Object> items = popMark("ADDITEMS");
                    Object target = peek("ADDITEMS");
                    if (!(target instanceof PySet s) || s.frozen()) {
                        throw corrupt("ADDITEMS on a " + Py.typeName(target) + ", expected a set");
                    }
                    s.items().addAll(items);
                }
                case 'b' -> {
                    Object state = pop("BUILD");
                    build(peek("BUILD"), state);
                }
                case 'c' -> {
                    String module = line();
                    String name = line();
                    push(global(module, name));
                }
                case 0x93 -> {
                    Object name = pop("STACK_GLOBAL");
                    Object module = pop("STACK_GLOBAL");
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw corrupt("STACK_GLOBAL needs two strings, got " + Py.typeName(module) + " and " + Py.typeName(name));
                    }
                    push(global(m, n));
                }
                case 'R' -> {
                    PyTuple args = tupleArg(pop("REDUCE"), "REDUCE");
                    Object callable = pop("REDUCE");
                    push(env.call(callable, args));
                }
                case 0x81 -> {
                    PyTuple args = tupleArg(pop("NEWOBJ"), "NEWOBJ");
                    Object cls = pop("NEWOBJ");
                    push(env.newObject(cls, args));
                }
                case 0x92 -> {
                    Object kwargs = pop("NEWOBJ_EX");
                    PyTuple args = tupleArg(pop("NEWOBJ_EX"), "NEWOBJ_EX");
                    Object cls = pop("NEWOBJ_EX");
                    if (!(kwargs instanceof PyDict kw) || !kw.map().isEmpty()) {
                        throw unsupported("NEWOBJ_EX with keyword arguments (" + Py.describe(kwargs) + ") for " + Py.typeName(cls));
                    }
                    push(env.newObject(cls, args));
                }
                case 'i' -> { // INST: class(*args) from a MARK, protocol 0
                    String module = line();
                    String name = line();
                    Object cls = global(module, name);
                    push(env.call(cls, new PyTuple(popMark("INST"))));
                }
                case 'o' -> { // OBJ: MARK cls args... , protocol 1
                    List<Object> items = popMark("OBJ");
                    if (items.isEmpty()) {
                        throw corrupt("OBJ without a class");
                    }
                    push(env.call(items.get(0), new PyTuple(items.subList(1, items.size()))));
                }
                case 'Q' -> push(env.persistentLoad(pop("BINPERSID")));
                case 'P' -> push(env.persistentLoad(line()));
                case 'p' -> memoPut(parseMemoIndex(line()));
                case 'q' -> memoPut(u8());
                case 'r' -> memoPut(le32u());
                case 0x94 -> memoPut(memo.size());
                case 'g' -> push(memoGet(parseMemoIndex(line())));
                case 'h' -> push(memoGet(u8()));
                case 'j' -> push(memoGet(le32u()));
                case 0x82, 0x83, 0x84 -> throw unsupported("copyreg extension codes (EXT opcodes) are not supported");
                case 0x97, 0x98 -> throw unsupported("out-of-band buffers (pickle protocol 5 NEXT_BUFFER/READONLY_BUFFER) are not supported");
                default -> throw corrupt(String.format("unknown pickle opcode 0x%02x", op));
            }
        }
    }

    // ---- stack, marks, memo ----

    private void push(Object v) {
        if (stack.size() >= MAX_STACK) {
            throw corrupt("the pickle stack exceeds " + MAX_STACK + " items; refusing to continue");
        }
        stack.add(v);
    }

    private Object pop(String opName) {
        if (stack.size() <= currentMarkBase()) {
            throw corrupt(opName + " on an empty stack");
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek(String opName) {
        if (stack.size() <= currentMarkBase()) {
            throw corrupt(opName + " on an empty stack");
        }
        return stack.get(stack.size() - 1);
    }

    private int currentMarkBase() {
        return markDepth == 0 ? 0 : marks[markDepth - 1];
    }

    private void pushMark() {
        if (markDepth >= MAX_MARKS) {
            throw corrupt("more than " + MAX_MARKS + " nested MARKs; refusing to continue");
        }
        if (markDepth == marks.length) {
            marks = Arrays.copyOf(marks, marks.length * 2);
        }
        marks[markDepth++] = stack.size();
    }

    private List<Object> popMark(String opName) {
        if (markDepth == 0) {
            throw corrupt(opName + " without a MARK");
        }
        int base = marks[--markDepth];
        List<Object> top = stack.subList(base, stack.size());
        List<Object> items = new ArrayList<>(top);
        top.clear();
        return items;
    }

    private void memoPut(long index) {
        if (stack.size() <= currentMarkBase()) {
            throw corrupt("memo PUT on an empty stack");
        }
        if (memo.size() >= MAX_MEMO && !memo.containsKey(index)) {
            throw corrupt("the memo exceeds " + MAX_MEMO + " entries; refusing to continue");
        }
        memo.put(index, stack.get(stack.size() - 1));
    }

    private Object memoGet(long index) {
        Object v = memo.get(index);
        if (v == null) {
            throw corrupt("memo index " + index + " was never stored (" + memo.size() + " entries)");
        }
        return v;
    }

    private long parseMemoIndex(String s) {
        try {
            long v = Long.parseLong(s.trim());
            if (v < 0) {
                throw corrupt("negative memo index " + v);
            }
            return v;
        } catch (NumberFormatException e) {
            throw corrupt("bad memo index " + Py.describe(s));
        }
    }

    // ---- containers ----

    private List<Object> listAt(String opName) {
        Object target = peek(opName);
        if (target instanceof ArrayList<?> l) {
            @SuppressWarnings("unchecked")
            List<Object> list = (List<Object>) l;
            return list;
        }
        throw corrupt(opName + " on a " + Py.typeName(target) + ", expected a list");
    }

    private PyDict dictAt(String opName) {
        Object target = peek(opName);
        if (target instanceof PyDict d) {
            return d;
        }
        throw corrupt(opName + " on a " + Py.typeName(target) + ", expected a dict");
    }

    private void putAll(PyDict d, List<Object> kv, String opName) {
        if (kv.size() % 2 != 0) {
            throw corrupt(opName + " with an odd number of items (" + kv.size() + ")");
        }
        for (int i = 0; i < kv.size(); i += 2) {
            Object k = kv.get(i);
            if (checkKey(k, MAX_KEY_PARTS, opName) < 0) {
                throw corrupt(opName + " with a dict key of more than " + MAX_KEY_PARTS + " parts (a tuple reusing memoized tuples?)");
            }
            d.map().put(k, kv.get(i + 1));
        }
    }

    /**
     * Dict keys must be hashable scalars or tuples of them, of at most {@code budget} parts
     * counted every time they are reached: memo reuse can make a tuple of 60 copies of a tuple of
     * 60 copies of ... whose hash would walk 60^8 items. Returns the budget left, negative when spent.
     */
    private int checkKey(Object k, int budget, String opName) {
        if (--budget < 0) {
            return budget;
        }
        if (k instanceof String || k instanceof Long || k instanceof BigInteger || k instanceof Double
                || k instanceof Boolean || k instanceof PyNone || k instanceof PyGlobal || k instanceof PyObject) {
            return budget;
        }
        if (k instanceof PyTuple t) {
            for (int i = 0; i < t.size() && budget >= 0; i++) {
                budget = checkKey(t.get(i), budget, opName);
            }
            return budget;
        }
        throw corrupt(opName + " with an unusable dict key: " + Py.describe(k));
    }

    private void build(Object target, Object state) {
        if (target instanceof PyObject o) {
            o.setState(state);
        } else if (target instanceof PyDict d) {
            d.setBuildState(state); // a state_dict's _metadata
        } else if (!env.build(target, state)) {
            throw unsupported("BUILD on a " + Py.typeName(target));
        }
    }

    private Object global(String module, String name) {
        if (module.isEmpty() || name.isEmpty()) {
            throw corrupt("GLOBAL with an empty module or name");
        }
        return env.global(module, name);
    }

    private PyTuple tupleArg(Object v, String opName) {
        if (v instanceof PyTuple t) {
            return t;
        }
        throw corrupt(opName + " arguments must be a tuple, got " + Py.typeName(v));
    }

    // ---- raw reads ----

    private void need(long n, String what) {
        if (n < 0 || n > end - pos) {
            throw corrupt("the pickle is truncated: " + what + " needs " + n + " bytes but only " + (end - pos) + " remain");
        }
    }

    private int u8() {
        need(1, "an opcode argument");
        return buf[pos++] & 0xff;
    }

    private int le32() {
        need(4, "a 4-byte argument");
        int v = (buf[pos] & 0xff) | (buf[pos + 1] & 0xff) << 8 | (buf[pos + 2] & 0xff) << 16 | (buf[pos + 3] & 0xff) << 24;
        pos += 4;
        return v;
    }

    private long le32u() {
        return le32() & 0xffffffffL;
    }

    private long u64() {
        need(8, "an 8-byte argument");
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (buf[pos + i] & 0xff);
        }
        pos += 8;
        if (v < 0) {
            throw corrupt("an 8-byte length " + Long.toUnsignedString(v) + " is larger than any file");
        }
        return v;
    }

    private long be64() {
        need(8, "BINFLOAT");
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (buf[pos + i] & 0xff);
        }
        pos += 8;
        return v;
    }

    private byte[] bytes(long n) {
        need(n, "a string or bytes value of " + n + " bytes");
        byte[] b = Arrays.copyOfRange(buf, pos, pos + (int) n);
        pos += (int) n;
        return b;
    }

    private String utf8(long n) {
        need(n, "a string of " + n + " bytes");
        String s = new String(buf, pos, (int) n, StandardCharsets.UTF_8);
        pos += (int) n;
        return s;
    }

    private String line() {
        return line(StandardCharsets.UTF_8);
    }

    /** One newline-terminated text argument; UNICODE's raw-unicode-escape keeps characters below 256 as single latin-1 bytes. */
    private String line(java.nio.charset.Charset charset) {
        int limit = (int) Math.min(end, (long) pos + MAX_LINE);
        for (int i = pos; i < limit; i++) {
            if (buf[i] == '\n') {
                String s = new String(buf, pos, i - pos, charset);
                pos = i + 1;
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
        }
        throw corrupt(limit == end ? "the pickle is truncated inside a text argument" : "a text argument is longer than " + MAX_LINE + " bytes");
    }

    private Object longFromBytes(int n) {
        need(n, "LONG1/LONG4");
        if (n == 0) {
            return 0L;
        }
        byte[] be = new byte[n];
        for (int i = 0; i < n; i++) {
            be[i] = buf[pos + n - 1 - i]; // little-endian two's complement in the pickle
        }
        pos += n;
        return normalize(new BigInteger(be));
    }

    private Object parseIntLine(String s) {
        if (s.equals("00")) {
            return Boolean.FALSE;
        }
        if (s.equals("01")) {
            return Boolean.TRUE;
        }
        return parseInteger(s);
    }

    private Object parseInteger(String s) {
        try {
            if (s.length() > MAX_LONG_BYTES) {
                throw corrupt("an integer of " + s.length() + " digits");
            }
            return normalize(new BigInteger(s.trim()));
        } catch (NumberFormatException e) {
            throw corrupt("bad integer text " + Py.describe(s));
        }
    }

    private static Object normalize(BigInteger b) {
        return b.bitLength() < 64 ? (Object) b.longValue() : b;
    }

    // ---- errors ----

    Lenet5Exception corrupt(String message) {
        return new CorruptFileException(file, part + ": " + message + " (at byte " + opStart + ")");
    }

    private Lenet5Exception unsupported(String message) {
        return new UnsupportedFormatException(file, part + ": " + message + " (at byte " + opStart + ")");
    }
}
