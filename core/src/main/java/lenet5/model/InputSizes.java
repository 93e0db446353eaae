package lenet5.model;

import lenet5.ArchitectureMismatchException;
import lenet5.layers.Layer;
import lenet5.tensor.Shape;

import java.util.ArrayList;
import java.util.List;

/**
 * The square input sizes a chain of layers accepts, for files that do not record their input
 * (PyTorch's): a Linear after Flatten fixes the size only up to the rounding of its convolutions
 * and pools, so several sides may fit (24 to 31 for three conv/pool stages before Linear(1152)).
 * Where several fit, MNIST's 28x28 is preferred, then LeNet-5's original 32x32, then the smallest.
 */
public final class InputSizes {
    /** Largest side tried. */
    public static final int MAX_SIDE = 1024;
    private static final int[] PREFERRED = {28, 32};

    private InputSizes() {
    }

    /** Every side in 1..{@link #MAX_SIDE} for which {@code channels x side x side} runs through the layers, ascending. */
    public static List<Integer> fitting(List<Layer> layers, int channels) {
        List<Integer> out = new ArrayList<>();
        for (int side = 1; side <= MAX_SIDE; side++) {
            if (fits(layers, Shape.chw(channels, side, side))) {
                out.add(side);
            }
        }
        return out;
    }

    /** The preferred fitting side (28, then 32, then the smallest), or -1 when none fits. */
    public static int preferred(List<Layer> layers, int channels) {
        for (int side : PREFERRED) {
            if (fits(layers, Shape.chw(channels, side, side))) {
                return side;
            }
        }
        for (int side = 1; side <= MAX_SIDE; side++) {
            if (fits(layers, Shape.chw(channels, side, side))) {
                return side;
            }
        }
        return -1;
    }

    /** {@code [24, 25, 26, 28]} as {@code 24..26, 28} (each side meaning a side x side input). */
    public static String ranges(List<Integer> sides) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < sides.size(); i++) {
            int start = sides.get(i);
            while (i + 1 < sides.size() && sides.get(i + 1) == sides.get(i) + 1) {
                i++;
            }
            sb.append(sb.length() == 0 ? "" : ", ").append(start).append(sides.get(i) == start ? "" : ".." + sides.get(i));
        }
        return sb.toString();
    }

    private static boolean fits(List<Layer> layers, Shape s) {
        try {
            new Sequential(s, layers, null);
            return true;
        } catch (ArchitectureMismatchException | IllegalArgumentException e) {
            return false;
        }
    }
}
