package lenet5.torch.storage;

import lenet5.UnsupportedFormatException;
import lenet5.tensor.Tensor;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/** Copies a strided tensor view out of its storage into a dense float32 {@link Tensor}, widening or narrowing the element type. */
public final class TensorReader {
    private TensorReader() {
    }

    /**
     * @param name the tensor's name in the file, for messages
     */
    public static Tensor read(Path file, String name, TensorRef t, StorageSource source) {
        DType dtype = t.dtype();
        if (!dtype.floating()) {
            throw new UnsupportedFormatException(file, "tensor '" + name + "' has dtype " + dtype.pyName()
                    + " (torch." + dtype.storageClass() + "); only float32, float64, float16 and bfloat16 weights are supported");
        }
        long need = t.span() * dtype.size() + t.numel() * 4;
        long heap = Runtime.getRuntime().maxMemory();
        if (need > heap / 2) {
            throw new UnsupportedFormatException(file, "tensor '" + name + "' needs " + (need >> 20) + " MiB, more than half of this "
                    + "JVM's maximum heap (" + (heap >> 20) + " MiB); run with a larger -Xmx");
        }
        ByteBuffer bytes = ByteBuffer.wrap(source.read(t.storage(), t.storage().base() + t.offset(), t.span())).order(source.order());
        int[] shape = t.shape();
        long[] stride = t.stride();
        float[] out = new float[(int) t.numel()];
        if (dtype == DType.FLOAT32 && contiguous(shape, stride)) {
            bytes.asFloatBuffer().get(out); // the common case, in one bulk copy: a cold per-element loop costs milliseconds
            return Tensor.of(out, shape);
        }
        int r = shape.length;
        int[] idx = new int[r];
        long index = 0; // element of the current position within the span read, updated incrementally
        for (int o = 0; o < out.length; o++) {
            out[o] = element(bytes, dtype, index);
            for (int k = r - 1; k >= 0; k--) {
                if (++idx[k] < shape[k]) {
                    index += stride[k];
                    break;
                }
                index -= (long) (shape[k] - 1) * stride[k];
                idx[k] = 0;
            }
        }
        return Tensor.of(out, shape);
    }

    /** Row-major with no gaps: the view is its storage span, element by element. */
    private static boolean contiguous(int[] shape, long[] stride) {
        long expect = 1;
        for (int k = shape.length - 1; k >= 0; k--) {
            if (shape[k] != 1 && stride[k] != expect) {
                return false;
            }
            expect *= shape[k];
        }
        return true;
    }

    private static float element(ByteBuffer b, DType dtype, long index) {
        int at = Math.toIntExact(index * dtype.size());
        return switch (dtype) {
            case FLOAT32 -> b.getFloat(at);
            case FLOAT64 -> (float) b.getDouble(at);
            case FLOAT16 -> halfToFloat(b.getShort(at));
            case BFLOAT16 -> Float.intBitsToFloat((b.getShort(at) & 0xffff) << 16);
            default -> throw new IllegalStateException("not a floating dtype: " + dtype);
        };
    }

    /** IEEE 754 binary16 to float32, exactly (every half value is representable). Java 17 has no Float.float16ToFloat. */
    public static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13)); // inf or NaN
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f; // subnormal (or zero): exact in float32
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }
}
