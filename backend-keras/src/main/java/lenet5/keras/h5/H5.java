package lenet5.keras.h5;

import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Link;
import io.jhdf.api.Node;
import io.jhdf.object.datatype.DataType;
import io.jhdf.object.datatype.FloatingPoint;
import lenet5.CorruptFileException;
import lenet5.Lenet5Exception;
import lenet5.UnsafeContentException;
import lenet5.UnsupportedFormatException;
import lenet5.keras.Limits;
import lenet5.spi.Source;
import lenet5.tensor.Tensor;

import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * HDF5 reading on jhdf, with every jhdf failure turned into a {@link CorruptFileException} that
 * names the file. jhdf throws its own unchecked exceptions and, on damaged files, also plain
 * runtime exceptions (buffer underflows, bad array indices), so the boundary catches all of them.
 */
public final class H5 {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    /** The HDF5 superblock may follow a user block of 512, 1024, 2048, ... bytes; we look this far. */
    private static final long MAX_USER_BLOCK = 1L << 20;

    private H5() {
    }

    /** Whether the source has an HDF5 signature at offset 0 or after a user block. */
    public static boolean isHdf5(Source source) {
        if (startsWith(source.head(), 0)) {
            return true;
        }
        try {
            long size = source.size();
            for (long off = 512; off + SIGNATURE.length <= size && off <= MAX_USER_BLOCK; off *= 2) {
                if (startsWith(source.read(off, SIGNATURE.length), 0)) {
                    return true;
                }
            }
        } catch (Lenet5Exception e) {
            return false;
        }
        return false;
    }

    private static boolean startsWith(byte[] b, int off) {
        return b.length >= off + SIGNATURE.length && Arrays.equals(b, off, off + SIGNATURE.length, SIGNATURE, 0, SIGNATURE.length);
    }

    /**
     * Opens {@code source} (a file, or bytes in memory) and applies {@code body}; jhdf errors become
     * {@link CorruptFileException}s. jhdf always reads from a buffer of the file's real bytes (a file
     * is memory-mapped): on a file channel it allocates whatever length a header claims and, past
     * the end of the file, re-reads the same last bytes until that length is filled, so one flipped
     * bit in a 11 KB file cost 32 MB and 300,000 reads. On a buffer such a read fails at once.
     */
    public static <T> T read(Source source, Function<HdfFile, T> body) {
        return read(source.path(), source.buffer(), body);
    }

    /** Like {@link #read(Source, Function)} for an HDF5 image held in memory (a .keras zip entry). */
    public static <T> T read(Path file, byte[] image, Function<HdfFile, T> body) {
        return read(file, ByteBuffer.wrap(image), body);
    }

    private static <T> T read(Path file, ByteBuffer image, Function<HdfFile, T> body) {
        try (HdfFile h = HdfFile.fromByteBuffer(image)) {
            return body.apply(h);
        } catch (Lenet5Exception e) {
            throw e;
        } catch (RuntimeException e) {
            throw corrupt(file, e);
        } catch (InternalError e) {
            // A mapped file shortened by someone else while we read it faults on the missing pages.
            throw new CorruptFileException(file, "the file changed while being read (" + e.getMessage() + ")", e);
        }
    }

    /** jhdf's message, and its root cause's: on a buffer, typically a structure that reaches past the end of the file or of its block. */
    private static CorruptFileException corrupt(Path file, RuntimeException e) {
        Throwable root = e;
        for (int i = 0; i < 16 && root.getCause() != null; i++) {
            root = root.getCause();
        }
        java.util.regex.Matcher past = PAST_END.matcher(String.valueOf(root.getMessage()));
        String why = root == e ? "" : past.matches()
                ? String.format("; it claims bytes up to %,d where there are %,d", Long.parseLong(past.group(1)), Long.parseLong(past.group(2)))
                : "; " + root.getClass().getSimpleName() + ": " + root.getMessage();
        return new CorruptFileException(file, "unreadable HDF5 content (" + e.getClass().getSimpleName() + ": "
                + e.getMessage() + why + ")", e);
    }

    /** How {@link ByteBuffer#limit(int)} refuses a limit past the end of the buffer (the file, or a block of it). */
    private static final java.util.regex.Pattern PAST_END = java.util.regex.Pattern.compile("newLimit > capacity: \\((\\d+) > (\\d+)\\)");

    /** A child group (a path of several parts is allowed), or {@code null} when there is none or it is not a group. */
    public static Group group(Group parent, String name) {
        return node(parent, name) instanceof Group g ? g : null;
    }

    /** Parts of one path, counting those that soft links add: Keras paths have two to four. */
    static final int MAX_PATH_PARTS = 64;
    /** Soft links followed while resolving one path. */
    static final int MAX_LINK_HOPS = 16;

    /**
     * The node at {@code path} (parts separated by '/', absolute from the file's root or relative to
     * {@code start}), or {@code null} when nothing is there. Walked here, not by jhdf, which
     * recurses once per part and follows links without limit: hard-link cycles walked by a long
     * path and soft-link loops end at {@link #MAX_PATH_PARTS} / {@link #MAX_LINK_HOPS}, and a link
     * that leaves the file (an external link) is refused by name before anything is opened.
     */
    public static Node node(Group start, String path) {
        return walk(start, path, new int[] {MAX_PATH_PARTS, MAX_LINK_HOPS});
    }

    private static Node walk(Group start, String path, int[] left) {
        Node cur = path.startsWith("/") ? start.getHdfFile() : start;
        int from = 0;
        while (from <= path.length()) {
            int slash = path.indexOf('/', from);
            String part = path.substring(from, slash < 0 ? path.length() : slash);
            from = slash < 0 ? path.length() + 1 : slash + 1;
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (--left[0] < 0) {
                throw new CorruptFileException(String.format("HDF5 path %s has more than %d parts (with the links it follows)",
                        lenet5.Text.quote(path), MAX_PATH_PARTS));
            }
            if (!(cur instanceof Group g)) {
                return null;
            }
            Node child = g.getChildren().get(part);
            if (child instanceof Link link) {
                child = follow(g, link, left);
            }
            if (child == null) {
                return null;
            }
            cur = child;
        }
        return cur;
    }

    /** A soft link's target inside this file; anything else that is a link leaves the file and is refused. */
    private static Node follow(Group parent, Link link, int[] left) {
        if (!(link instanceof io.jhdf.links.SoftLink)) {
            throw new UnsafeContentException(String.format("HDF5 link %s points outside this file (%s); a model file is one file, "
                    + "links out of it are not followed", lenet5.Text.quote(link.getPath()), lenet5.Text.escape(String.valueOf(link), 200)));
        }
        if (--left[1] < 0) {
            throw new CorruptFileException(String.format("HDF5 soft link %s: more than %d links followed (a link loop?)",
                    lenet5.Text.quote(link.getPath()), MAX_LINK_HOPS));
        }
        return walk(parent, link.getTargetPath(), left);
    }

    /**
     * A string or string-array attribute as a list, whatever its HDF5 string type (fixed or
     * variable length, ASCII or UTF-8). Keras splits attributes over 64 KB into {@code name0},
     * {@code name1}, ...; those are joined. An absent attribute gives {@code null}; Keras's
     * empty float64 array (layers without weights) gives an empty list.
     */
    public static List<String> strings(Path file, Node node, String name) {
        Attribute a = node.getAttribute(name);
        if (a != null) {
            return stringsOf(file, node, a);
        }
        List<String> joined = null;
        for (int i = 0; ; i++) {
            Attribute part = node.getAttribute(name + i);
            if (part == null) {
                return joined;
            }
            if (joined == null) {
                joined = new ArrayList<>();
            }
            joined.addAll(stringsOf(file, node, part));
        }
    }

    /** A scalar string attribute, or {@code null} if absent. */
    public static String string(Path file, Node node, String name) {
        List<String> s = strings(file, node, name);
        if (s == null) {
            return null;
        }
        if (s.size() != 1) {
            throw new CorruptFileException(file, "attribute '" + name + "' of " + node.getPath() + " holds "
                    + s.size() + " strings, expected one");
        }
        return s.get(0);
    }

    private static List<String> stringsOf(Path file, Node node, Attribute a) {
        if (a.isEmpty() || a.getSize() == 0) {
            return List.of();
        }
        Object data = a.getData();
        if (data instanceof String s) {
            return List.of(s);
        }
        if (data instanceof String[] arr) {
            return List.of(arr);
        }
        if (data instanceof byte[] bytes) {
            return List.of(new String(bytes, StandardCharsets.UTF_8));
        }
        if (data == null) {
            return List.of();
        }
        throw new CorruptFileException(file, "attribute '" + a.getName() + "' of " + node.getPath()
                + " is not a string (it holds " + data.getClass().getSimpleName() + ")");
    }

    /** Elements of a chunk that may exceed its dataset's (an extendible dataset's chunk): 256 KB of float32. */
    static final long MAX_SMALL_CHUNK = 1 << 16;

    /**
     * Reads a floating-point dataset, checking its size before reading it. An integer scalar (a
     * counter such as Normalization's {@code count}) reads as a float.
     */
    public static StoredTensor tensor(Path file, Dataset d, String name) {
        DataType type = d.getDataType();
        if (type instanceof io.jhdf.object.datatype.FixedPoint && d.isScalar()) {
            Object v = d.getData();
            if (v instanceof Number num) {
                return new StoredTensor(name, "int" + type.getSize() * 8, Tensor.of(new float[] {num.floatValue()}));
            }
        }
        if (!(type instanceof FloatingPoint)) {
            throw new UnsupportedFormatException(file, "weight '" + name + "' (" + d.getPath() + ") is stored as "
                    + type.getClass().getSimpleName() + " of " + type.getSize() + " bytes; only floating-point weights are supported");
        }
        int bytes = type.getSize();
        if (bytes != 2 && bytes != 4 && bytes != 8) {
            throw new CorruptFileException(file, "weight '" + name + "' has floating-point elements of " + bytes + " bytes");
        }
        String dtype = "float" + bytes * 8;
        long n = d.getSize();
        if (n > Limits.MAX_TENSOR_ELEMENTS) {
            throw new UnsupportedFormatException(file, "weight '" + name + "' has " + n + " elements, over the limit of "
                    + Limits.MAX_TENSOR_ELEMENTS);
        }
        long fileSize = d.getHdfFile().size();
        if (d.getFilters().isEmpty() && n * bytes > fileSize) {
            // Unfiltered data is stored as is, so it cannot be larger than the file.
            throw new CorruptFileException(file, "weight '" + name + "' declares " + n * bytes + " bytes of data in a file of "
                    + fileSize + " bytes");
        }
        if (d instanceof io.jhdf.api.dataset.ChunkedDataset c) {
            // jhdf allocates a chunk's decoded size before decoding it, and a filtered chunk's size is not
            // bounded by the file. HDF5 never makes a chunk larger than a fixed-size dataset; small chunks of
            // an extendible one may be.
            long chunk = 1;
            for (int k : c.getChunkDimensions()) {
                chunk = Math.min(chunk * Integer.toUnsignedLong(k), Long.MAX_VALUE >> 32);
            }
            if (chunk > Math.max(n, MAX_SMALL_CHUNK)) {
                throw new CorruptFileException(file, "weight '" + name + "' is stored in chunks of " + Arrays.toString(c.getChunkDimensions())
                        + " elements, more than its " + n + " elements");
            }
        }
        int[] dims = d.isScalar() ? new int[0] : d.getDimensions();
        if (Tensor.numel(dims) != n) {
            throw new CorruptFileException(file, "weight '" + name + "' has dimensions " + Arrays.toString(dims)
                    + " but " + n + " elements");
        }
        float[] values;
        Object flat = n == 0 ? new float[0] : dataOf(file, d, name);
        if (n > 0 && flat != null && flat.getClass().isArray() && Array.getLength(flat) == 0) {
            // Never written (no chunk allocated): HDF5 reads such a dataset as its fill value, 0 unless one is set.
            values = new float[(int) n];
            Arrays.fill(values, d.getFillValue() instanceof Number v ? v.floatValue() : 0f);
        } else if (flat instanceof float[] f) {
            values = f;
        } else if (flat instanceof double[] dd) {
            values = new float[dd.length];
            for (int i = 0; i < dd.length; i++) {
                values[i] = (float) dd[i];
            }
        } else {
            throw new UnsupportedFormatException(file, "weight '" + name + "' is " + dtype + ", which this reader cannot convert");
        }
        if (values.length != n) {
            throw new CorruptFileException(file, "weight '" + name + "' yielded " + values.length + " values, expected " + n);
        }
        return new StoredTensor(name, dtype, Tensor.of(values, dims));
    }

    /**
     * The dataset's elements. jhdf cannot decode every filter pipeline it accepts (lzf after
     * fletcher32 fails inside it); such a failure is reported as what it is, naming the filters.
     */
    private static Object dataOf(Path file, Dataset d, String name) {
        try {
            return d.getDataFlat();
        } catch (RuntimeException e) {
            if (d.getFilters().isEmpty()) {
                throw e;
            }
            List<String> filters = new ArrayList<>();
            d.getFilters().forEach(f -> filters.add(f.getName()));
            throw new UnsupportedFormatException(file, "weight " + lenet5.Text.quote(name) + " is stored with the HDF5 filter pipeline "
                    + filters + ", which the HDF5 library used here (jhdf) cannot decode (" + e.getClass().getSimpleName()
                    + "); re-save it without compression or with gzip", e);
        }
    }

    /** A tensor as the nested Java array ({@code float[][]...}) that jhdf writes as a dataset of the tensor's shape. */
    public static Object nested(Tensor t) {
        int[] dims = t.shape();
        Object array = Array.newInstance(float.class, dims);
        fill(array, t.data(), 0, dims, 0);
        return array;
    }

    private static int fill(Object array, float[] src, int pos, int[] dims, int axis) {
        if (axis == dims.length - 1) {
            System.arraycopy(src, pos, array, 0, dims[axis]);
            return pos + dims[axis];
        }
        for (int i = 0; i < dims[axis]; i++) {
            pos = fill(Array.get(array, i), src, pos, dims, axis + 1);
        }
        return pos;
    }
}
