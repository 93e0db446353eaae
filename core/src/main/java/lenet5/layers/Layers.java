package lenet5.layers;

import lenet5.ArchitectureMismatchException;
import lenet5.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

/** Shared checks for the layer records. */
final class Layers {
    private Layers() {
    }

    static void checkShape(String layer, String what, Tensor t, int... expected) {
        if (t == null) {
            throw new ArchitectureMismatchException(layer + ": missing " + what);
        }
        if (!t.hasShape(expected)) {
            throw new ArchitectureMismatchException(layer + ": " + what + " has shape " + Arrays.toString(t.shape())
                    + ", expected " + Arrays.toString(expected));
        }
    }

    static void checkCount(String layer, List<Tensor> w, int expected) {
        if (w.size() != expected) {
            throw new ArchitectureMismatchException(layer + ": expected " + expected + " weight tensors, got " + w.size());
        }
    }

    /** Number of window positions along one axis of padded length {@code len} (a long: padding may push it past int). */
    static int windows(String layer, long len, int k, int s, boolean ceil) {
        if (len < k) {
            throw new ArchitectureMismatchException(layer + ": kernel " + k + " is larger than its (padded) input " + len);
        }
        return side(layer, (ceil ? -Math.floorDiv(-(len - k), (long) s) : (len - k) / s) + 1);
    }

    /** {@code in + before + after} exactly. */
    static long padded(int in, int before, int after) {
        return (long) in + before + after;
    }

    /**
     * An output height or width computed exactly; one that no map within the activation budget can
     * have is refused here, before it could wrap around as an int.
     */
    static int side(String layer, long side) {
        if (side > lenet5.Budget.MAX_ACTIVATIONS) {
            throw new lenet5.UnsupportedFormatException(String.format("%s: an output side of %,d is over the budget of %,d elements per layer",
                    lenet5.Text.quote(layer), side, lenet5.Budget.MAX_ACTIVATIONS));
        }
        return (int) side;
    }
}
