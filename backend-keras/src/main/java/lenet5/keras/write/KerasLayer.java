package lenet5.keras.write;

import com.fasterxml.jackson.databind.node.ObjectNode;
import lenet5.tensor.Tensor;

import java.util.List;

/**
 * One layer as Keras will see it.
 *
 * @param className  Keras class ({@code Conv2D}, {@code Dense}, ...)
 * @param fields     the class's own config fields, without name, dtype and initializers, which
 *                   depend on the Keras generation written (see {@link ConfigJson})
 * @param weights    Keras-layout tensors in Keras's order, named as Keras names the variables
 * @param inputShape the per-sample input shape in Keras's (H,W,C) or (F) order
 */
public record KerasLayer(String className, String name, ObjectNode fields, List<Weight> weights, int[] inputShape) {
    public KerasLayer {
        weights = List.copyOf(weights);
    }

    /** A weight variable: {@code kernel}, {@code bias}, {@code gamma}, ... */
    public record Weight(String name, Tensor value) {
    }
}
