package lenet5.io;

import lenet5.Lenet5Exception;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file so that readers see either the old content or the complete new content, never
 * a partial file: the bytes go to a temporary file in the target's directory, which is then
 * renamed over the target. On any failure the temporary file is deleted and the target is
 * untouched. A new file gets the mode any tool would give it (0644 under umask 022); a replaced
 * file keeps its mode. The temporary name stays short whatever the target's name (at most 255
 * bytes is the usual limit for one name).
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
        Path tmp = createTemp(dir, abs.getFileName().toString());
        boolean done = false;
        try {
            writer.writeTo(tmp);
            keepMode(abs, tmp);
            move(tmp, abs);
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /**
     * Refuses to write {@code target} when it is one of {@code inputs} (the same file by any path),
     * before anything is read or written: a command never overwrites what it reads.
     */
    public static void refuseOverwriting(Path target, String role, Path... inputs) {
        for (Path in : inputs) {
            try {
                if (in != null && Files.exists(target) && Files.exists(in) && Files.isSameFile(in, target)) {
                    throw new Lenet5Exception(target, "refusing to overwrite " + role);
                }
            } catch (IOException e) {
                throw new Lenet5Exception(target, "cannot check the output path: " + e.getMessage(), e);
            }
        }
    }

    /**
     * An empty file with a fresh name in {@code dir}, created like any new file (so the umask
     * decides its mode, unlike {@link Files#createTempFile}, which makes it 0600). The name keeps
     * at most 64 bytes of the target's name.
     */
    private static Path createTemp(Path dir, String name) throws IOException {
        String stem = utf8Prefix(name, 64);
        for (int attempt = 0; ; attempt++) {
            Path tmp = dir.resolve("." + stem + "." + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
            try {
                Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return tmp;
            } catch (FileAlreadyExistsException e) {
                if (attempt > 100) {
                    throw e;
                }
            }
        }
    }

    /** The longest prefix of {@code s} that is at most {@code max} bytes in UTF-8, never splitting a character. */
    static String utf8Prefix(String s, int max) {
        int bytes = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int n = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + n > max) {
                return s.substring(0, i);
            }
            bytes += n;
            i += Character.charCount(cp);
        }
        return s;
    }

    /** A file that is replaced keeps its permissions (where the file system has POSIX permissions). */
    private static void keepMode(Path target, Path tmp) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(target, PosixFileAttributeView.class);
        if (view != null && Files.exists(target)) {
            Files.setPosixFilePermissions(tmp, view.readAttributes().permissions());
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
