package lenet5.layout;

import lenet5.tensor.Shape;
import lenet5.tensor.Tensor;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * How a file stores one weight tensor, as a value: the order of its axes, whether a kernel is
 * flipped (Keras 1 on Theano), and, for a dense kernel that reads a Flatten of a map larger than
 * 1x1, that its inputs come in (H,W,C) order. Applies its transform both ways
 * ({@link #toCanonical}, {@link #fromCanonical}) and describes it ({@link #describe},
 * {@link #transformTo}), so readers, writers and {@code inspect} share one definition.
 * The canonical form is PyTorch's: {@link #PYTORCH_CONV}, {@link #PYTORCH_DENSE}, {@link #VECTOR}.
 *
 * @param axes       the stored axis order
 * @param flipped    a conv kernel stored for a true convolution (Theano): rotated 180 degrees
 * @param hwcColumns for a dense kernel after a Flatten: the flattened map, whose features the kernel
 *                   reads in (H,W,C) order; {@code null} when it reads them in canonical (C,H,W) order
 */
public record WeightLayout(Axes axes, boolean flipped, Shape hwcColumns) {
    /** Axis orders, named as in the tutorial's tables. */
    public enum Axes {
        OIHW("out", "in", "kh", "kw"), HWIO("kh", "kw", "in", "out"), OI("out", "in"), IO("in", "out"), C("c");

        private final List<String> names;

        Axes(String... names) {
            this.names = List.of(names);
        }

        public List<String> names() {
            return names;
        }

        /** The canonical order for tensors of this rank. */
        Axes canonical() {
            return switch (this) {
                case OIHW, HWIO -> OIHW;
                case OI, IO -> OI;
                case C -> C;
            };
        }

        /** {@code p} such that {@code from.permute(p)} is in this order (numpy's {@code transpose(p)}). */
        int[] permutationFrom(Axes from) {
            int[] p = new int[names.size()];
            for (int i = 0; i < p.length; i++) {
                p[i] = from.names.indexOf(names.get(i));
            }
            return p;
        }
    }

    public static final WeightLayout PYTORCH_CONV = new WeightLayout(Axes.OIHW, false, null);
    public static final WeightLayout KERAS_CONV = new WeightLayout(Axes.HWIO, false, null);
    /** Keras 1 on Theano: PyTorch's axis order, kernel flipped. */
    public static final WeightLayout THEANO_CONV = new WeightLayout(Axes.OIHW, true, null);
    public static final WeightLayout PYTORCH_DENSE = new WeightLayout(Axes.OI, false, null);
    /** Biases, norms, running statistics: the same in every convention. */
    public static final WeightLayout VECTOR = new WeightLayout(Axes.C, false, null);

    public WeightLayout {
        Objects.requireNonNull(axes, "axes");
        if (flipped && axes.canonical() != Axes.OIHW) {
            throw new IllegalArgumentException("only conv kernels are flipped, not " + axes);
        }
        if (hwcColumns != null && (axes.canonical() != Axes.OI || hwcColumns.flat() || hwcColumns.height() * hwcColumns.width() == 1)) {
            hwcColumns = null; // nothing to permute: not a dense kernel, or its map is 1x1
        }
    }

    /** A Keras dense kernel {@code (in,out)}; {@code flattenedMap} is the map its Flatten reads, or {@code null}. */
    public static WeightLayout kerasDense(Shape flattenedMap) {
        return new WeightLayout(Axes.IO, false, flattenedMap);
    }

    /** How PyTorch stores a weight of this rank (its own convention is the canonical one). */
    public static WeightLayout pytorch(int rank) {
        return switch (rank) {
            case 4 -> PYTORCH_CONV;
            case 2 -> PYTORCH_DENSE;
            case 1 -> VECTOR;
            default -> throw new IllegalArgumentException("no weight layout for rank " + rank);
        };
    }

    /** The stored tensor in the canonical convention. */
    public Tensor toCanonical(Tensor stored) {
        requireRank(stored);
        Tensor t = stored.permute(axes.canonical().permutationFrom(axes));
        if (flipped) {
            t = WeightLayouts.flip180(t);
        }
        return hwcColumns == null ? t : WeightLayouts.denseColumnsFromHwc(t, hwcColumns);
    }

    /** A canonical tensor as this layout stores it. */
    public Tensor fromCanonical(Tensor canonical) {
        requireRank(canonical);
        Tensor t = hwcColumns == null ? canonical : WeightLayouts.denseColumnsToHwc(canonical, hwcColumns);
        if (flipped) {
            t = WeightLayouts.flip180(t);
        }
        return t.permute(axes.permutationFrom(axes.canonical()));
    }

    /** The stored shape of a weight whose canonical shape is {@code canonical}. */
    public int[] storedShape(int... canonical) {
        int[] p = axes.permutationFrom(axes.canonical());
        int[] s = new int[p.length];
        for (int i = 0; i < p.length; i++) {
            s[i] = canonical[p[i]];
        }
        return s;
    }

    /** The axis order in words, as {@code inspect} prints it: {@code (kh,kw,in,out)}, {@code (out,in,kh,kw) theano}. */
    public String describe() {
        return "(" + String.join(",", axes.names) + ")" + (flipped ? " theano" : "");
    }

    /**
     * The numpy-style transform that maps a tensor stored in this layout to one stored in
     * {@code target}: {@code identity} or {@code transpose(...)}, then {@code + flip kh,kw} and
     * {@code + columns (C,H,W)->(H,W,C) of <map>} where those differ.
     */
    public String transformTo(WeightLayout target) {
        if (axes.canonical() != target.axes.canonical()) {
            return describe() + " -> " + target.describe();
        }
        String t = axes == target.axes ? "identity"
                : "transpose" + Arrays.toString(target.axes.permutationFrom(axes)).replace('[', '(').replace(']', ')').replace(" ", "");
        if (flipped != target.flipped) {
            t += " + flip kh,kw";
        }
        if (!Objects.equals(hwcColumns, target.hwcColumns)) {
            t += hwcColumns == null ? " + columns (C,H,W)->(H,W,C) of " + target.hwcColumns
                    : target.hwcColumns == null ? " + columns (H,W,C)->(C,H,W) of " + hwcColumns
                    : " + columns (H,W,C) of " + hwcColumns + " -> (H,W,C) of " + target.hwcColumns;
        }
        return t;
    }

    private void requireRank(Tensor t) {
        if (t.rank() != axes.names.size()) {
            throw new IllegalArgumentException("a " + describe() + " weight must have rank " + axes.names.size() + ", got " + t);
        }
    }

    @Override
    public String toString() {
        return describe() + (hwcColumns == null ? "" : ", columns (H,W,C) of " + hwcColumns);
    }
}
