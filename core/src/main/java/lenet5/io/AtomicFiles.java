package lenet5.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes a file so that readers see either the old content or the complete new content, never
 * a partial file: the bytes go to a temporary file in the target's directory, which is then
 * renamed over the target. On any failure the temporary file is deleted and the target is
 * untouched.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Writes the content. */
    @FunctionalInterface
    public interface Writer {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Writes {@code target} through a temporary file in its directory. */
    public static void write(Path target, Writer writer) throws IOException {
        writeVia(target, tmp -> {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp))) {
                writer.writeTo(out);
            }
        });
    }

    /** Builds the content in a temporary path (for writers that need a file, such as HDF5 libraries), then renames it. */
    public static void writeVia(Path target, PathWriter writer) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".tmp");
        boolean done = false;
        try {
            writer.writeTo(tmp);
            move(tmp, abs);
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** Writes a file at a given path. */
    @FunctionalInterface
    public interface PathWriter {
        void writeTo(Path tmp) throws IOException;
    }

    private static void move(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
