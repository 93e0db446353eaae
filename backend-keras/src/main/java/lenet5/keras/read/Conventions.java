package lenet5.keras.read;

import lenet5.keras.config.KernelOrder;

/**
 * How a file's weights relate to the canonical layout.
 *
 * @param order      kernel axis order
 * @param flip       whether Theano wrote the kernels: Theano's conv2d is a true convolution, so
 *                   its kernels are rotated 180 degrees to become cross-correlation kernels (as
 *                   Keras 2 and tf.keras themselves do when loading a file whose {@code backend}
 *                   is "theano")
 * @param flattenHwc whether the first Dense after a Flatten reads (H,W,C) order; {@code null} to
 *                   follow the kernel order (Theano-ordered models flatten (C,H,W))
 */
public record Conventions(KernelOrder order, boolean flip, Boolean flattenHwc) {
}
