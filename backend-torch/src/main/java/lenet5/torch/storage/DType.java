package lenet5.torch.storage;

import java.util.Locale;

/** Element types of torch storages, named by their storage class ({@code torch.FloatStorage} is float32). */
public enum DType {
    FLOAT32("FloatStorage", 4, true),
    FLOAT64("DoubleStorage", 8, true),
    FLOAT16("HalfStorage", 2, true),
    BFLOAT16("BFloat16Storage", 2, true),
    INT64("LongStorage", 8, false),
    INT32("IntStorage", 4, false),
    INT16("ShortStorage", 2, false),
    INT8("CharStorage", 1, false),
    UINT8("ByteStorage", 1, false),
    BOOL("BoolStorage", 1, false),
    COMPLEX64("ComplexFloatStorage", 8, false),
    COMPLEX128("ComplexDoubleStorage", 16, false);

    private final String storageClass;
    private final int size;
    private final boolean floating;

    DType(String storageClass, int size, boolean floating) {
        this.storageClass = storageClass;
        this.size = size;
        this.floating = floating;
    }

    /** The class name in module {@code torch}, e.g. {@code FloatStorage}. */
    public String storageClass() {
        return storageClass;
    }

    /** Bytes per element. */
    public int size() {
        return size;
    }

    /** Whether this reader converts it to float32 (float32, float64, float16, bfloat16). */
    public boolean floating() {
        return floating;
    }

    /** PyTorch's name: {@code float32}, {@code bfloat16}, {@code int64}. */
    public String pyName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The dtype of a {@code torch.<name>} storage class, or null. */
    public static DType ofStorageClass(String name) {
        for (DType d : values()) {
            if (d.storageClass.equals(name)) {
                return d;
            }
        }
        return null;
    }
}
