package lenet5.kernels;

import lenet5.layers.Activation;
import lenet5.tensor.Shape;

/**
 * One compiled step of a {@link Plan}. Activations are laid out {@code [C][H][W][lanes]}: with
 * {@code lanes = }{@link Plan#LANES} the images of a chunk are innermost (the batched mode), with
 * {@code lanes = 1} it is plain CHW of one image (the per-image mode). Steps are immutable and
 * keep no per-call state, so one plan serves every thread; scratch comes from a {@link Workspace}.
 */
abstract class Step {
    final Shape in;
    final Shape out;
    /** Index of the last model layer whose output this step produces, or -1 for an internal step. */
    final int lastLayer;

    Step(Shape in, Shape out, int lastLayer) {
        this.in = in;
        this.out = out;
        this.lastLayer = lastLayer;
    }

    /** True when {@code src} and {@code dst} may be the same array (element-wise steps). */
    boolean inPlace() {
        return false;
    }

    /** Reads {@code src} and writes {@code dst} for {@code lanes} images (1 or {@link Plan#LANES}). */
    abstract void forward(float[] src, float[] dst, int lanes, Kernels k, Workspace ws);

    /** Scratch floats this step needs in {@link Workspace#conv} (per-image mode only). */
    int convScratch() {
        return 0;
    }

    /** Longest tile row this step asks {@link Kernels#convTile} for. */
    int tileLanes() {
        return Plan.LANES;
    }

    /** Lanes of the longest {@link Kernels#convTileRuns} this step asks for (all runs). */
    int runLanes() {
        return 0;
    }

    /** Floats of {@link Workspace#tile} this step needs besides per-image rows. */
    int tileSize() {
        return 0;
    }

    /** Longest {@link Kernels#gemv} output this step needs. */
    int gemvOut() {
        return 0;
    }

    /** An element-wise activation (not softmax) on {@code len} values. */
    static void activate(Kernels k, Activation.Function f, float[] a, int off, int len) {
        switch (f) {
            case TANH -> k.tanh(a, off, len);
            case RELU -> k.relu(a, off, len);
            case SIGMOID -> {
                for (int i = off; i < off + len; i++) {
                    a[i] = (float) (1.0 / (1.0 + Math.exp(-a[i])));
                }
            }
            case LINEAR -> {
            }
            default -> throw new IllegalStateException(f + " is not one of the kernels' activations");
        }
    }

    /** The kernels' code for an activation they apply in registers, or ACT_NONE. */
    static int kernelAct(Activation.Function f) {
        return switch (f) {
            case TANH -> Kernels.ACT_TANH;
            case RELU -> Kernels.ACT_RELU;
            default -> Kernels.ACT_NONE;
        };
    }

    static int roundUp(int v, int multiple) {
        return (v + multiple - 1) / multiple * multiple;
    }
}
