package lenet5.model;

/** Which compute kernels a {@link Predictor} runs. Both give PyTorch's numbers (within 1e-6). */
public enum KernelChoice {
    /**
     * The Vector API kernels when the JVM runs with {@code --add-modules jdk.incubator.vector}
     * (unless {@code -Dlenet5.scalar=true}), plain Java otherwise. The fastest once warm.
     */
    BEST,
    /**
     * Plain Java. The quicker choice for a few images in a fresh JVM: the Vector API's code runs
     * interpreted until HotSpot compiles it (about 0.1 s for the first image), the plain kernels'
     * first image takes a few milliseconds.
     */
    SCALAR
}
