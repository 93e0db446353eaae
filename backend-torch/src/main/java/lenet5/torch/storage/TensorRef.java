package lenet5.torch.storage;

import java.util.Arrays;

/**
 * A tensor as {@code _rebuild_tensor_v2(storage, storage_offset, size, stride, ...)} describes it:
 * a strided view of a storage. Element {@code (i0, i1, ...)} lives at
 * {@code storage[offset + sum(ik * stride[k])]}. Constructed only after checking that every
 * element it can address lies inside the storage.
 */
public final class TensorRef {
    /**
     * Largest tensor this reader materializes: no model within the budget has a larger weight, and
     * a view that repeats one stored float (stride 0) costs its full size once copied out.
     */
    public static final long MAX_NUMEL = lenet5.Budget.MAX_PARAMETERS;

    private final StorageRef storage;
    private final long offset;
    private final int[] shape;
    private final long[] stride;
    private final long numel;
    private final long last;

    private TensorRef(StorageRef storage, long offset, int[] shape, long[] stride, long numel, long last) {
        this.storage = storage;
        this.offset = offset;
        this.shape = shape;
        this.stride = stride;
        this.numel = numel;
        this.last = last;
    }

    /** Checks the view against the storage; throws IllegalArgumentException with the reason. */
    public static TensorRef of(StorageRef storage, long offset, long[] size, long[] stride) {
        if (size.length != stride.length) {
            throw new IllegalArgumentException("size has " + size.length + " dimensions but stride has " + stride.length);
        }
        if (size.length > 8) {
            throw new IllegalArgumentException(size.length + " dimensions");
        }
        if (offset < 0) {
            throw new IllegalArgumentException("negative storage offset " + offset);
        }
        long numel = 1;
        long last = offset; // index of the last addressable element
        int[] shape = new int[size.length];
        for (int i = 0; i < size.length; i++) {
            if (size[i] < 0 || size[i] > MAX_NUMEL) {
                throw new IllegalArgumentException("bad size " + Arrays.toString(size));
            }
            if (stride[i] < 0) {
                throw new IllegalArgumentException("negative stride " + Arrays.toString(stride));
            }
            shape[i] = (int) size[i];
            numel = Math.multiplyExact(numel, size[i]);
            if (numel > MAX_NUMEL) {
                throw new IllegalArgumentException(String.format("size %s has more than %,d elements (the parameter budget)", Arrays.toString(size), MAX_NUMEL));
            }
        }
        if (numel > 0) {
            try {
                for (int i = 0; i < size.length; i++) {
                    last = Math.addExact(last, Math.multiplyExact(size[i] - 1, stride[i]));
                }
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("stride " + Arrays.toString(stride) + " overflows");
            }
            if (last >= storage.numel()) {
                throw new IllegalArgumentException("view (offset " + offset + ", size " + Arrays.toString(size) + ", stride "
                        + Arrays.toString(stride) + ") reaches element " + last + " of a storage of " + storage.numel());
            }
        }
        return new TensorRef(storage, offset, shape, stride.clone(), numel, last);
    }

    public StorageRef storage() {
        return storage;
    }

    public long offset() {
        return offset;
    }

    public int[] shape() {
        return shape.clone();
    }

    public long[] stride() {
        return stride.clone();
    }

    public long numel() {
        return numel;
    }

    /** Storage elements from {@link #offset()} to the last one the view addresses (0 for an empty tensor); strides are never negative. */
    public long span() {
        return numel == 0 ? 0 : last - offset + 1;
    }

    public DType dtype() {
        return storage.dtype();
    }

    public int rank() {
        return shape.length;
    }

    @Override
    public String toString() {
        return "tensor" + Arrays.toString(shape) + " " + storage.dtype().pyName();
    }
}
