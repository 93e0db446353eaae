package lenet5.serve;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Tensor values as the OIP binary tensor data extension carries them: little-endian, row-major, each
 * value in its datatype's native size. Read through a small buffer, so memory is the float array the
 * request needs anyway, whatever size a client declares.
 */
final class BinaryTensor {
    private static final int CHUNK = 1 << 16;

    private BinaryTensor() {
    }

    /** The numeric OIP datatypes, each with its size in bytes. */
    private enum Type {
        INT8(1), UINT8(1), FP16(2), BF16(2), INT16(2), UINT16(2), FP32(4), INT32(4), UINT32(4), FP64(8), INT64(8), UINT64(8);

        final int size;

        Type(int size) {
            this.size = size;
        }

        static Type of(String datatype) {
            for (Type t : values()) {
                if (t.name().equals(datatype)) {
                    return t;
                }
            }
            throw new HttpError(400, "input datatype " + Errors.quote(datatype) + " has no binary form here");
        }
    }

    /** Bytes per value of a numeric OIP datatype. */
    static int elementSize(String datatype) {
        return Type.of(datatype).size;
    }

    /** {@code count} values of {@code datatype} from {@code in}, as float32; non-finite values are refused. */
    static float[] read(InputStream in, String datatype, int count) throws IOException {
        Type type = Type.of(datatype);
        int size = type.size;
        float[] out = new float[count];
        byte[] chunk = new byte[(int) Math.min(CHUNK, (long) count * size)];
        ByteBuffer b = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; ) {
            int values = Math.min(count - i, chunk.length / size);
            int got = in.readNBytes(chunk, 0, values * size);
            InferRequest.expect(got == values * size, "the body ends inside the input's binary data ("
                    + ((long) i * size + got) + " of " + (long) count * size + " bytes)");
            for (int k = 0; k < values; k++, i++) {
                float v = value(b, k * size, type);
                if (!Float.isFinite(v)) { // not expect(): its message would be built for every value
                    throw new HttpError(400, "input value " + i + " (" + v + ") is not a finite float32");
                }
                out[i] = v;
            }
        }
        return out;
    }

    private static float value(ByteBuffer b, int at, Type type) {
        return switch (type) {
            case INT8 -> b.get(at);
            case UINT8 -> b.get(at) & 0xff;
            case INT16 -> b.getShort(at);
            case UINT16 -> b.getShort(at) & 0xffff;
            case FP16 -> halfToFloat(b.getShort(at));
            case BF16 -> Float.intBitsToFloat(b.getShort(at) << 16);
            case FP32 -> b.getFloat(at);
            case INT32 -> b.getInt(at);
            case UINT32 -> b.getInt(at) & 0xffffffffL;
            case FP64 -> (float) b.getDouble(at);
            case INT64 -> b.getLong(at);
            case UINT64 -> unsignedToFloat(b.getLong(at));
        };
    }

    /** IEEE 754 binary16 to float (exact: every half is a float); Float.float16ToFloat needs JDK 20. */
    static float halfToFloat(short h) {
        int sign = (h & 0x8000) << 16, exp = (h >>> 10) & 0x1f, mant = h & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | mant << 13);
        }
        if (exp == 0) {
            // zero or subnormal: mant x 2^-24, exact in float
            float v = mant * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | (exp + 112) << 23 | mant << 13);
    }

    /** An unsigned 64-bit value rounded to float once (halving keeps the low bit for correct rounding). */
    private static float unsignedToFloat(long v) {
        return v >= 0 ? (float) v : (float) (v >>> 1 | (v & 1)) * 2f;
    }

    /** Strings as the binary form of a BYTES tensor: each one's UTF-8 length (4 bytes, little-endian), then its bytes. */
    static byte[] bytes(String[] values) {
        byte[][] utf8 = new byte[values.length][];
        int size = 0;
        for (int i = 0; i < values.length; i++) {
            utf8[i] = values[i].getBytes(java.nio.charset.StandardCharsets.UTF_8);
            size += 4 + utf8[i].length;
        }
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        for (byte[] v : utf8) {
            b.putInt(v.length).put(v);
        }
        return b.array();
    }

    /** Values as little-endian float32, the binary form of an FP32 output. */
    static byte[] fp32(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return b.array();
    }
}
