package lenet5.io;

import lenet5.InvalidInputException;
import lenet5.Lenet5Exception;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Headerless little-endian float32 files ({@code *.f32}), as numpy's {@code tofile} writes them. */
public final class RawFloats {
    private RawFloats() {
    }

    public static float[] read(Path file) {
        try {
            long size = Files.size(file);
            if (size % 4 != 0) {
                throw new InvalidInputException(file, "size " + size + " bytes is not a multiple of 4 (float32)");
            }
            if (size > Integer.MAX_VALUE - 8) {
                throw new InvalidInputException(file, "file too large for one array: " + size + " bytes");
            }
            lenet5.Budget.memory(file, size / 4, "float32 values", 2 * size);
            byte[] bytes = Files.readAllBytes(file);
            float[] f = new float[bytes.length / 4];
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
            return f;
        } catch (IOException e) {
            throw new InvalidInputException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    /** Writes atomically (see {@link AtomicFiles}). */
    public static void write(Path file, float[] values) {
        ByteBuffer buf = ByteBuffer.allocate(Math.multiplyExact(values.length, 4)).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        try {
            AtomicFiles.write(file, out -> out.write(buf.array()));
        } catch (IOException e) {
            throw new Lenet5Exception(file, "cannot write: " + e.getMessage(), e);
        }
    }
}
