package lenet5.keras.config;

import lenet5.layout.Layout;
import lenet5.model.Sequential;

import java.util.List;

/**
 * A model config turned into the canonical model, before weights are bound.
 *
 * @param skeleton   the canonical model with placeholder weights
 * @param weighted   the Keras layers that own weights, in model order; the i-th matches the
 *                   i-th canonical layer with weights
 * @param order      how the file stores convolution kernels
 * @param flattenHwc whether the Flatten before the first Dense emits (H,W,C) order, so that
 *                   Dense's columns must be permuted into the canonical (C,H,W) order
 * @param layout     the input layout Keras fed this model
 */
public record Architecture(Sequential skeleton, List<LayerConfig> weighted, KernelOrder order,
                           boolean flattenHwc, Layout layout) {
    public Architecture {
        weighted = List.copyOf(weighted);
    }
}
