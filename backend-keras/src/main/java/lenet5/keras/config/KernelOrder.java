package lenet5.keras.config;

/** How a file stores convolution kernels. */
public enum KernelOrder {
    /** (kh, kw, in, out): TensorFlow ordering, and every Keras from 2.0 on. */
    TF,
    /** (out, in, kh, kw): Keras 1 with {@code dim_ordering='th'}. */
    THEANO,
    /** Unknown (a Keras 1 weights-only file): decided per file from the kernel shapes. */
    DETECT
}
