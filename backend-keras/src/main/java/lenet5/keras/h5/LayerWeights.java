package lenet5.keras.h5;

import java.util.List;

/** The stored weights of one Keras layer, in the order Keras lists them (kernel before bias). */
public record LayerWeights(String layer, List<StoredTensor> tensors) {
    public LayerWeights {
        tensors = List.copyOf(tensors);
    }

    public boolean isEmpty() {
        return tensors.isEmpty();
    }
}
