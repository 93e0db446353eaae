package lenet5.torch.storage;

/**
 * A tensor storage as a persistent id names it: the record {@code key} in the file, its dtype,
 * and its length in elements. {@code base}/{@code numel} select a slice of a larger root storage
 * (the legacy format's {@code view_metadata}); otherwise base is 0 and numel the whole storage.
 */
public record StorageRef(String key, DType dtype, long rootNumel, long base, long numel) {
    public StorageRef {
        if (rootNumel < 0) {
            throw new IllegalArgumentException("storage '" + key + "' has a negative size " + rootNumel);
        }
        if (base < 0 || numel < 0 || base > rootNumel || numel > rootNumel - base) {
            throw new IllegalArgumentException("storage '" + key + "': slice " + base + "+" + numel
                    + " is outside its " + rootNumel + " elements");
        }
    }

    public static StorageRef whole(String key, DType dtype, long numel) {
        return new StorageRef(key, dtype, numel, 0, numel);
    }

    /** Bytes of the root storage: what the file must hold for this key. */
    public long rootBytes() {
        return Math.multiplyExact(rootNumel, (long) dtype.size());
    }
}
