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

    /** Number of window positions along one axis of padded length {@code len}. */
    static int windows(String layer, int len, int k, int s, boolean ceil) {
        if (len < k) {
            throw new ArchitectureMismatchException(layer + ": kernel " + k + " is larger than its (padded) input " + len);
        }
        return (ceil ? -Math.floorDiv(-(len - k), s) : (len - k) / s) + 1;
    }
}
