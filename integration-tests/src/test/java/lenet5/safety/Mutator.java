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
 * duplicated, renamed, deleted entries; names with {@code ../}). Every mutant is a pure function
 * of the original bytes and the {@link Random} it is given, so a case id reproduces it.
 */
final class Mutator {
    /** A damaged file and what was done to it. */
    record Mutant(String description, byte[] bytes) {
    }

    private enum Kind {
        BIT_FLIPS(12), INTERESTING_BYTES(12), TRUNCATE_AT_MARK(10), TRUNCATE_RANDOM(4), INSERT(5), DELETE(5),
        LENGTH_FIELD(16), PICKLE_OPCODE(10), JSON_DIGIT(5), ZIP_STRUCTURE(10), KERAS_CONFIG(8);

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
        return switch (r.nextInt(14)) {
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
