package lenet5.kernels;

/**
 * One compiled step of a {@link Plan}: reads {@code n} samples from {@code in} and writes
 * {@code n} samples to {@code out}, both NCHW and contiguous. Ops are immutable and hold no
 * per-call state, so one plan serves every thread; scratch space comes from the caller.
 */
public interface Op {
    /** Values per sample read. */
    int inSize();

    /** Values per sample written. */
    int outSize();

    /** Index of the last model layer whose output this op produces (ops may fuse several layers). */
    int lastLayer();

    /** True when {@code in} and {@code out} may be the same array (element-wise ops). */
    default boolean inPlace() {
        return false;
    }

    void forward(float[] in, float[] out, int n);
}
