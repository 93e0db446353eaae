package lenet5.safety;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import lenet5.testing.Zips;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

/**
 * Damages a model file in the ways real damage and real attackers do: bit flips, bytes set to
 * boundary values, truncation at structure boundaries, inserted and deleted bytes, lying length
 * fields, swapped pickle opcodes, edited JSON configs, and rewritten zip archives (swapped,
 * duplicated, renamed, deleted entries; names with {@code ../}). And, keeping the file valid, the
 * way an attacker builds amplification (issue 14): memo reuse that makes a tiny pickle an
 * exponential tree or a cycle, deep nesting of valid constructs, long text with control
 * characters in pickle keys, Keras configs and HDF5 names, HDF5 names that walk link cycles, and
 * huge but consistent sizes in configs. Every mutant is a pure function of the original bytes and
 * the {@link Random} it is given, so a case id reproduces it.
 */
final class Mutator {
    /** A damaged file and what was done to it. */
    record Mutant(String description, byte[] bytes) {
    }

    private enum Kind {
        BIT_FLIPS(12), INTERESTING_BYTES(12), TRUNCATE_AT_MARK(10), TRUNCATE_RANDOM(4), INSERT(5), DELETE(5),
        LENGTH_FIELD(16), PICKLE_OPCODE(10), JSON_DIGIT(5), ZIP_STRUCTURE(10), KERAS_CONFIG(8),
        PICKLE_MEMO(6), PICKLE_NESTING(3), PICKLE_TEXT(4), H5_NAME(6);

        final int weight;

        Kind(int weight) {
            this.weight = weight;
        }
    }

    private static final byte[] INTERESTING = {0, (byte) 0xFF, 0x7F, (byte) 0x80};
    private static final ObjectMapper JSON = new ObjectMapper();

    private final byte[] original;
    private final Landmarks landmarks;
    private final List<Landmarks.Mark> marks;
    private final List<Zips.Entry> entries; // null when the file is not a readable zip
    private final int configEntry;          // index of config.json in entries, or -1
    private final int pickleEntry;          // index of a .pkl entry ending in STOP, or -1
    private final List<Integer> h5Names;    // offsets of HDF5 weight names ("kernel:0", "vars/0"), for same-length rewrites

    Mutator(byte[] original, List<Zips.Entry> entries) {
        this.original = original;
        this.landmarks = Landmarks.of(original);
        this.marks = landmarks.sortedMarks().stream().filter(m -> m.offset() < original.length).toList();
        this.entries = entries;
        int c = -1;
        for (int i = 0; entries != null && i < entries.size(); i++) {
            if (entries.get(i).name().endsWith("config.json")) {
                c = i;
            }
        }
        this.configEntry = c;
        int pk = -1;
        for (int i = 0; entries != null && i < entries.size(); i++) {
            byte[] d = entries.get(i).data();
            if (entries.get(i).name().endsWith("data.pkl") && d.length > 0 && d[d.length - 1] == '.') {
                pk = i;
            }
        }
        this.pickleEntry = pk;
        List<Integer> names = new ArrayList<>();
        boolean hdf5 = original.length > 8 && original[1] == 'H' && original[2] == 'D' && original[3] == 'F';
        for (byte[] needle : new byte[][] {"kernel".getBytes(StandardCharsets.US_ASCII), "bias".getBytes(StandardCharsets.US_ASCII)}) {
            for (int at = hdf5 ? Landmarks.indexOf(original, needle) : -1; at >= 0 && names.size() < 64; at = Landmarks.indexOf(original, needle, at + 1)) {
                names.add(at);
            }
        }
        this.h5Names = names;
    }

    Landmarks landmarks() {
        return landmarks;
    }

    Mutant mutate(Random r) {
        List<Kind> kinds = new ArrayList<>();
        int total = 0;
        for (Kind k : Kind.values()) {
            if (applicable(k)) {
                kinds.add(k);
                total += k.weight;
            }
        }
        int pick = r.nextInt(total);
        for (Kind k : kinds) {
            pick -= k.weight;
            if (pick < 0) {
                Mutant m = apply(k, r);
                return new Mutant(k.name() + ": " + m.description(), m.bytes());
            }
        }
        throw new AssertionError();
    }

    private boolean applicable(Kind k) {
        return switch (k) {
            case PICKLE_OPCODE -> !landmarks.pickleOps.isEmpty();
            case JSON_DIGIT -> !landmarks.jsonDigits.isEmpty();
            case ZIP_STRUCTURE -> entries != null && !entries.isEmpty();
            case KERAS_CONFIG -> configEntry >= 0;
            case LENGTH_FIELD -> !landmarks.fields.isEmpty();
            case PICKLE_MEMO, PICKLE_NESTING, PICKLE_TEXT -> pickleEntry >= 0;
            case H5_NAME -> !h5Names.isEmpty();
            default -> original.length > 0;
        };
    }

    private Mutant apply(Kind k, Random r) {
        byte[] b = original.clone();
        switch (k) {
            case BIT_FLIPS: {
                int n = 1 + r.nextInt(8);
                StringBuilder d = new StringBuilder("flip bits at");
                for (int i = 0; i < n; i++) {
                    int off = offset(r);
                    int bit = r.nextInt(8);
                    b[off] ^= (byte) (1 << bit);
                    d.append(' ').append(off).append('.').append(bit);
                }
                return new Mutant(d.toString(), b);
            }
            case INTERESTING_BYTES: {
                int n = 1 + r.nextInt(4);
                int off = offset(r);
                byte v = INTERESTING[r.nextInt(INTERESTING.length)];
                int end = Math.min(b.length, off + n);
                Arrays.fill(b, off, end, v);
                return new Mutant(String.format("set %d byte(s) at %d to 0x%02x (%s)", end - off, off, v & 0xff, near(off)), b);
            }
            case TRUNCATE_AT_MARK: {
                Landmarks.Mark m = marks.isEmpty() ? new Landmarks.Mark(r.nextInt(b.length), "random")
                        : marks.get(r.nextInt(marks.size()));
                int delta = r.nextInt(4) == 0 ? r.nextInt(9) - 4 : 0;
                int len = clamp(m.offset() + delta, 0, b.length - 1);
                return new Mutant("truncate to " + len + " bytes (at " + m.what() + (delta == 0 ? "" : " " + delta) + ")",
                        Arrays.copyOf(b, len));
            }
            case TRUNCATE_RANDOM: {
                int len = r.nextInt(b.length);
                return new Mutant("truncate to " + len + " bytes", Arrays.copyOf(b, len));
            }
            case INSERT: {
                int off = offset(r);
                byte[] ins = new byte[1 + r.nextInt(16)];
                r.nextBytes(ins);
                byte[] out = new byte[b.length + ins.length];
                System.arraycopy(b, 0, out, 0, off);
                System.arraycopy(ins, 0, out, off, ins.length);
                System.arraycopy(b, off, out, off + ins.length, b.length - off);
                return new Mutant("insert " + ins.length + " random bytes at " + off + " (" + near(off) + ")", out);
            }
            case DELETE: {
                int off = offset(r);
                int n = Math.min(1 + r.nextInt(16), b.length - off);
                byte[] out = new byte[b.length - n];
                System.arraycopy(b, 0, out, 0, off);
                System.arraycopy(b, off + n, out, off, b.length - off - n);
                return new Mutant("delete " + n + " bytes at " + off + " (" + near(off) + ")", out);
            }
            case LENGTH_FIELD:
                return lengthField(b, r);
            case PICKLE_OPCODE: {
                int off = landmarks.pickleOps.get(r.nextInt(landmarks.pickleOps.size()));
                if (!PickleOps.isNoArg(b[off] & 0xff) || r.nextInt(4) == 0) {
                    // Any opcode byte, arguments left as they are: the stream desynchronises.
                    int v = r.nextInt(256);
                    b[off] = (byte) v;
                    return new Mutant(String.format("pickle opcode at %d set to 0x%02x", off, v), b);
                }
                byte v = PickleOps.NO_ARG[r.nextInt(PickleOps.NO_ARG.length)];
                int was = b[off] & 0xff;
                b[off] = v;
                return new Mutant(String.format("pickle opcode at %d swapped 0x%02x -> 0x%02x", off, was, v & 0xff), b);
            }
            case JSON_DIGIT: {
                int off = landmarks.jsonDigits.get(r.nextInt(landmarks.jsonDigits.size()));
                byte v = (byte) "0123456789-9".charAt(r.nextInt(12));
                b[off] = v;
                return new Mutant("json digit at " + off + " set to '" + (char) v + "'", b);
            }
            case ZIP_STRUCTURE:
                return zipStructure(r);
            case KERAS_CONFIG:
                return kerasConfig(r);
            case PICKLE_MEMO, PICKLE_NESTING, PICKLE_TEXT:
                return pickle(k, r);
            case H5_NAME:
                return h5Name(b, r);
            default:
                throw new AssertionError(k);
        }
    }

    private Mutant lengthField(byte[] b, Random r) {
        List<Landmarks.Field> fields = landmarks.fields.stream().filter(f -> f.offset() + f.width() <= b.length).toList();
        if (fields.isEmpty()) {
            return new Mutant("unchanged (no length field in range)", b);
        }
        Landmarks.Field f = fields.get(r.nextInt(fields.size()));
        long v = PickleOps.le(b, f.offset(), f.width());
        long[] choices = switch (f.width()) {
            case 1 -> new long[] {0, 1, 0x7F, 0x80, 0xFF, v + 1, v - 1};
            case 2 -> new long[] {0, 1, 0x7FFF, 0x8000, 0xFFFF, v + 1, v - 1, v * 2};
            case 4 -> new long[] {0, 1, 0x7FFFFFFFL, 0x80000000L, 0xFFFFFFFFL, 0xFFFFFFFEL, v + 1, v - 1, v * 2, v + 4096, 1_000_000_000L};
            default -> new long[] {0, 1, Long.MAX_VALUE, Long.MIN_VALUE, -1, 1L << 32, 1L << 31, v + 1, v - 1, v * 2,
                    1_000_000_000_000L, 1L << 40};
        };
        long nv = choices[r.nextInt(choices.length)];
        for (int i = 0; i < f.width(); i++) {
            b[f.offset() + i] = (byte) (nv >>> (8 * i));
        }
        return new Mutant(String.format("%s at %d: %d -> %d", f.what(), f.offset(), v, nv & mask(f.width())), b);
    }

    private Mutant zipStructure(Random r) {
        List<Zips.Entry> e = new ArrayList<>(entries);
        int i = r.nextInt(e.size()), j = r.nextInt(e.size());
        Zips.Entry a = e.get(i);
        String d;
        switch (r.nextInt(9)) {
            case 0 -> {
                e.set(i, a.withData(e.get(j).data()));
                e.set(j, e.get(j).withData(a.data()));
                d = "swap contents of " + a.name() + " and " + e.get(j).name();
            }
            case 1 -> {
                e.add(r.nextBoolean() ? 0 : e.size(), a.withData(e.get(j).data()));
                d = "duplicate entry " + a.name() + " (with the data of entry " + j + ")";
            }
            case 2 -> {
                e.remove(i);
                d = "remove entry " + a.name();
            }
            case 3 -> {
                String n = a.name();
                int at = r.nextInt(n.length());
                String renamed = n.substring(0, at) + (char) ('a' + r.nextInt(26)) + n.substring(at + 1);
                e.set(i, a.withName(renamed));
                d = "rename " + n + " to " + renamed;
            }
            case 4 -> {
                String renamed = (r.nextBoolean() ? "../" : "../../lenet5-zip-slip/") + a.name();
                e.set(i, a.withName(renamed));
                d = "rename " + a.name() + " to " + renamed;
            }
            case 5 -> {
                e.add(new Zips.Entry("../../../../../../tmp/lenet5-zip-slip-" + i, a.data()));
                d = "add entry ../../../../../../tmp/lenet5-zip-slip-" + i;
            }
            case 6 -> {
                e.set(i, new Zips.Entry(a.name(), a.data(), !a.deflate(), -1));
                d = (a.deflate() ? "store " : "deflate ") + a.name();
            }
            case 7 -> {
                int len = a.data().length == 0 ? 0 : r.nextInt(a.data().length);
                e.set(i, a.withData(Arrays.copyOf(a.data(), len)));
                d = "shorten entry " + a.name() + " to " + len + " bytes";
            }
            default -> {
                java.util.Collections.shuffle(e, r);
                d = "shuffle entry order";
            }
        }
        return new Mutant("zip: " + d, Zips.write(e));
    }

    /**
     * Valid opcodes inserted just before data.pkl's STOP, where the root object is on the stack:
     * a dict entry (SETITEM, which a non-dict root refuses) or a value that is built and popped.
     */
    private Mutant pickle(Kind k, Random r) {
        Zips.Entry e = entries.get(pickleEntry);
        byte[] p = e.data();
        java.io.ByteArrayOutputStream ins = new java.io.ByteArrayOutputStream();
        String d;
        boolean asEntry = r.nextBoolean();
        if (asEntry) {
            text(ins, k == Kind.PICKLE_TEXT ? hostileText(r) : "lenet5_fuzz");
        }
        switch (k) {
            case PICKLE_MEMO -> {
                // Each level a tuple of `width` references to the level below (LONG_BINGET): width^depth leaves, a few hundred bytes.
                int depth = 2 + r.nextInt(12), width = 2 + r.nextInt(80);
                int base = 900_000;
                ins.write('(');
                text(ins, "leaf");
                ins.write('t');
                memo(ins, 'r', base);
                for (int level = 1; level <= depth; level++) {
                    ins.write('0'); // POP the level below: it stays in the memo
                    ins.write('(');
                    for (int i = 0; i < width; i++) {
                        memo(ins, 'j', base + level - 1);
                    }
                    ins.write('t');
                    memo(ins, 'r', base + level);
                }
                boolean cycle = r.nextInt(4) == 0;
                if (cycle) { // a list that contains itself next to the tree
                    ins.write(']');
                    memo(ins, 'r', base + depth + 1);
                    memo(ins, 'j', base + depth + 1);
                    ins.write('a');
                    ins.write(0x86); // TUPLE2 (tree, cycle)
                }
                if (!asEntry && r.nextBoolean()) { // the tree as a dict key: its hash would walk every leaf
                    ins.write('N');
                    ins.write('s');
                    d = String.format("memo-reuse tuple %d wide, %d deep%s as a dict key", width, depth, cycle ? " with a cyclic list" : "");
                } else {
                    d = String.format("memo-reuse tuple %d wide, %d deep%s", width, depth, cycle ? " with a cyclic list" : "");
                }
            }
            case PICKLE_NESTING -> {
                int n = 100 + r.nextInt(50_000);
                ins.writeBytes("(".repeat(n).getBytes(StandardCharsets.US_ASCII));
                ins.writeBytes("t".repeat(n).getBytes(StandardCharsets.US_ASCII));
                d = n + " nested tuples";
            }
            default -> {
                text(ins, hostileText(r));
                d = "a long text with control characters";
            }
        }
        ins.write(asEntry ? 's' : '0'); // SETITEM into the root, or POP
        byte[] out = new byte[p.length + ins.size()];
        System.arraycopy(p, 0, out, 0, p.length - 1);
        System.arraycopy(ins.toByteArray(), 0, out, p.length - 1, ins.size());
        out[out.length - 1] = '.';
        List<Zips.Entry> all = new ArrayList<>(entries);
        all.set(pickleEntry, e.withData(out));
        return new Mutant("data.pkl: " + d + (asEntry ? " as a new entry of the root" : ", popped"), Zips.write(all));
    }

    private static void text(java.io.ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write('X');
        for (int i = 0; i < 4; i++) {
            out.write(b.length >>> (8 * i));
        }
        out.writeBytes(b);
    }

    private static void memo(java.io.ByteArrayOutputStream out, int op, int index) {
        out.write(op);
        for (int i = 0; i < 4; i++) {
            out.write(index >>> (8 * i));
        }
    }

    /** Text an attacker would put in a name: line breaks, a forged "OK" line, terminal escapes, NUL, bidi overrides; sometimes long. */
    static String hostileText(Random r) {
        String[] parts = {"\n", "\r\nmodel OK\n", "\u001b]0;pwned\u0007", "\u001b[2J", "\u0000", "\u202e", "\u0085", "x", "conv2d"};
        StringBuilder sb = new StringBuilder();
        int n = 1 + r.nextInt(8);
        for (int i = 0; i < n; i++) {
            sb.append(parts[r.nextInt(parts.length)]);
        }
        if (r.nextInt(3) == 0) {
            sb.append("A".repeat(1 + r.nextInt(200_000)));
        }
        return sb.toString();
    }

    /** An HDF5 weight name rewritten in place (same length): a path through the name itself, a climb, or control characters. */
    private Mutant h5Name(byte[] b, Random r) {
        int at = h5Names.get(r.nextInt(h5Names.size()));
        int len = b[at] == 'k' ? "kernel".length() : "bias".length(); // in weight_names attributes and in link names
        String[] choices = {"a/a/a/", "//////", "../../", "\n\u001b[2J", "././.", "\u0000\u0000\u0000", "bias/0", "kernel"};
        String v = choices[r.nextInt(choices.length)];
        byte[] rep = java.util.Arrays.copyOf(v.getBytes(StandardCharsets.UTF_8), len);
        System.arraycopy(rep, 0, b, at, len);
        return new Mutant("hdf5 name at " + at + " -> " + Fuzzer.printable(v), b);
    }

    private Mutant kerasConfig(Random r) {
        Zips.Entry c = entries.get(configEntry);
        JsonNode root;
        try {
            root = JSON.readTree(c.data());
        } catch (IOException ex) {
            return new Mutant("config.json unparseable; unchanged", original.clone());
        }
        List<JsonNode> containers = new ArrayList<>();
        collect(root, containers);
        JsonNode parent = containers.get(r.nextInt(containers.size()));
        String d;
        if (parent instanceof ObjectNode o && o.size() > 0) {
            List<String> keys = new ArrayList<>();
            o.fieldNames().forEachRemaining(keys::add);
            String key = keys.get(r.nextInt(keys.size()));
            if (r.nextInt(4) == 0) {
                o.remove(key);
                d = "remove key '" + key + "'";
            } else {
                JsonNode v = hostileValue(r, root);
                o.set(key, v);
                d = "set '" + key + "' to " + abbreviate(v);
            }
        } else if (parent instanceof ArrayNode a && a.size() > 0) {
            int k = r.nextInt(a.size());
            switch (r.nextInt(3)) {
                case 0 -> {
                    a.remove(k);
                    d = "remove array element " + k;
                }
                case 1 -> {
                    a.insert(k, a.get(k).deepCopy());
                    d = "duplicate array element " + k;
                }
                default -> {
                    JsonNode v = hostileValue(r, root);
                    a.set(k, v);
                    d = "set array element " + k + " to " + abbreviate(v);
                }
            }
        } else {
            d = "nothing to change";
        }
        List<Zips.Entry> e = new ArrayList<>(entries);
        e.set(configEntry, c.withData(root.toString().getBytes(StandardCharsets.UTF_8)));
        return new Mutant("config.json: " + d, Zips.write(e));
    }

    private static JsonNode hostileValue(Random r, JsonNode root) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        return switch (r.nextInt(22)) {
            // huge but consistent sizes, long text with control characters, deep nesting of valid JSON
            case 14 -> f.numberNode(40_000_000);
            case 15 -> f.arrayNode().add(384).add(384);
            case 16 -> f.numberNode(2_147_483_647);
            case 17 -> f.arrayNode().add(f.arrayNode().add(2_147_483_647).add(0)).add(f.arrayNode().add(0).add(2_147_483_647));
            case 18, 19 -> f.textNode(hostileText(r));
            case 20 -> {
                JsonNode n = f.arrayNode().add(1);
                for (int i = 0; i < 500; i++) {
                    n = f.arrayNode().add(n);
                }
                yield n;
            }
            case 0 -> f.nullNode();
            case 1 -> f.numberNode(0);
            case 2 -> f.numberNode(-1);
            case 3 -> f.numberNode(Integer.MAX_VALUE);
            case 4 -> f.numberNode(1e308);
            case 5 -> f.numberNode(1_000_000_000_000L);
            case 6 -> f.textNode("");
            case 7 -> f.textNode("x");
            case 8 -> f.booleanNode(true);
            case 9 -> f.arrayNode();
            case 10 -> f.objectNode();
            case 11 -> f.numberNode(2.5);
            case 12 -> f.arrayNode().add(-5).add(100000).add(0);
            default -> root.deepCopy();
        };
    }

    private static void collect(JsonNode n, List<JsonNode> out) {
        if (n.isContainerNode()) {
            out.add(n);
            Iterator<JsonNode> it = n.elements();
            while (it.hasNext()) {
                collect(it.next(), out);
            }
        }
    }

    private static String abbreviate(JsonNode v) {
        String s = v.toString();
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    /** Half the time at or just after a landmark, else anywhere. */
    private int offset(Random r) {
        if (!marks.isEmpty() && r.nextBoolean()) {
            return clamp(marks.get(r.nextInt(marks.size())).offset() + r.nextInt(16), 0, original.length - 1);
        }
        return r.nextInt(original.length);
    }

    private String near(int off) {
        Landmarks.Mark best = null;
        for (Landmarks.Mark m : marks) {
            if (m.offset() <= off) {
                best = m;
            } else {
                break;
            }
        }
        return best == null ? "file start" : best.what() + " +" + (off - best.offset());
    }

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    private static long mask(int width) {
        return width >= 8 ? -1L : (1L << (8 * width)) - 1;
    }

}
