package lenet5.keras.h5;

import lenet5.tensor.Tensor;

/**
 * A weight as the file stores it: its name in the file, the stored type and the values in the
 * stored shape and layout (converted to float32 if stored wider or narrower).
 */
public record StoredTensor(String name, String dtype, Tensor values) {
    public int[] shape() {
        return values.shape();
    }
}
