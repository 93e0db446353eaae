package lenet5.io;

import lenet5.InvalidInputException;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads MNIST's IDX files: {@code idx3-ubyte} images and {@code idx1-ubyte} labels, plain or
 * gzipped (detected from the content, not the name).
 */
public final class Idx {
    private static final int IMAGES_MAGIC = 0x00000803;
    private static final int LABELS_MAGIC = 0x00000801;

    private Idx() {
    }

    /** Grayscale images, one byte per pixel, row-major. */
    public record Images(int count, int rows, int cols, byte[] pixels) {
        /**
         * Pixels as floats, one image after another ({@code N x 1 x rows x cols}, which is both NCHW
         * and NHWC for one channel): divided by 255 when {@code scale}, raw 0..255 otherwise.
         */
        public float[] toFloats(boolean scale) {
            float[] f = new float[pixels.length];
            for (int i = 0; i < f.length; i++) {
                // Division, not multiplication by 1/255, so values equal numpy's uint8 / 255.
                f[i] = scale ? (pixels[i] & 0xff) / 255f : pixels[i] & 0xff;
            }
            return f;
        }
    }

    public static Images readImages(Path file) {
        try (DataInputStream in = open(file)) {
            int magic = in.readInt();
            if (magic != IMAGES_MAGIC) {
                throw new InvalidInputException(file, String.format(
                        "not an IDX image file: magic 0x%08x, expected 0x%08x (idx3-ubyte)", magic, IMAGES_MAGIC));
            }
            int n = in.readInt(), rows = in.readInt(), cols = in.readInt();
            long bytes = (long) n * rows * cols;
            if (n < 0 || rows <= 0 || cols <= 0 || bytes > Integer.MAX_VALUE - 8) {
                throw new InvalidInputException(file, "implausible IDX dimensions " + n + "x" + rows + "x" + cols);
            }
            // The pixels, then as float32 for the model: checked before reading, as a small gzip can hold many images.
            lenet5.Budget.memory(file, n, "images of " + rows + "x" + cols, 5 * bytes);
            byte[] px = readUpTo(in, (int) bytes);
            if (px.length < bytes) {
                throw new InvalidInputException(file, "IDX file is truncated: its header declares " + n + " images of "
                        + rows + "x" + cols + " (" + bytes + " bytes of pixels), it holds " + px.length + " bytes ("
                        + px.length / ((long) rows * cols) + " whole images)");
            }
            return new Images(n, rows, cols, px);
        } catch (EOFException e) {
            throw new InvalidInputException(file, "IDX file is truncated inside its header");
        } catch (IOException e) {
            throw new InvalidInputException(file, "cannot read IDX images: " + e.getMessage(), e);
        }
    }

    public static int[] readLabels(Path file) {
        try (DataInputStream in = open(file)) {
            int magic = in.readInt();
            if (magic != LABELS_MAGIC) {
                throw new InvalidInputException(file, String.format(
                        "not an IDX label file: magic 0x%08x, expected 0x%08x (idx1-ubyte)", magic, LABELS_MAGIC));
            }
            int n = in.readInt();
            if (n < 0) {
                throw new InvalidInputException(file, "implausible label count " + n);
            }
            lenet5.Budget.memory(file, n, "labels", 5L * n);
            byte[] b = readUpTo(in, n);
            if (b.length < n) {
                throw new InvalidInputException(file, "IDX file is truncated: its header declares " + n
                        + " labels, it holds " + b.length);
            }
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                labels[i] = b[i] & 0xff;
            }
            return labels;
        } catch (EOFException e) {
            throw new InvalidInputException(file, "IDX file is truncated inside its header");
        } catch (IOException e) {
            throw new InvalidInputException(file, "cannot read IDX labels: " + e.getMessage(), e);
        }
    }

    /**
     * Reads at most {@code declared} bytes, growing the buffer only as data actually arrives, so a
     * header that lies about its size costs no more memory than the file really holds.
     */
    private static byte[] readUpTo(InputStream in, int declared) throws IOException {
        byte[] buf = new byte[Math.min(declared, 1 << 20)];
        int len = 0;
        while (len < declared) {
            if (len == buf.length) {
                buf = java.util.Arrays.copyOf(buf, (int) Math.min(declared, 2L * buf.length));
            }
            int r = in.read(buf, len, buf.length - len);
            if (r < 0) {
                break;
            }
            len += r;
        }
        return len == buf.length ? buf : java.util.Arrays.copyOf(buf, len);
    }

    private static DataInputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file));
        raw.mark(2);
        int b0 = raw.read(), b1 = raw.read();
        raw.reset();
        InputStream in = b0 == 0x1f && b1 == 0x8b ? new BufferedInputStream(new GZIPInputStream(raw)) : raw;
        return new DataInputStream(in);
    }
}
