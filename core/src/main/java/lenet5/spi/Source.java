package lenet5.spi;

import lenet5.CorruptFileException;
import lenet5.Lenet5Exception;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * What a backend reads a model from: a file, or bytes in memory (a {@code byte[]}, an
 * {@code InputStream} read to its end, a classpath resource). Random access by position, so
 * readers never need a file; the first bytes are read once and cached for format detection.
 * Errors name the source by {@link #name()}: the path, the resource name, or {@code <stream>}.
 * <p>
 * Not thread-safe; one load uses it and closes it.
 */
public final class Source implements AutoCloseable {
    /** Bytes {@link #head()} holds, at most: enough for every format's signature. */
    public static final int HEAD = 512;
    /** Largest in-memory source (one Java array). */
    public static final long MAX_BYTES = Integer.MAX_VALUE - 8;

    private final String name;
    private final Path path;
    private final byte[] bytes;
    private FileChannel channel;
    private byte[] head;

    private Source(String name, Path path, byte[] bytes) {
        this.name = name;
        this.path = path;
        this.bytes = bytes;
    }

    /** A file. It is opened on first read; a missing or unreadable file is an error naming it. */
    public static Source of(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new Lenet5Exception(file, Files.exists(file) ? "not a regular file" : "no such file");
        }
        return new Source(file.toString(), file, null);
    }

    /** Bytes in memory, named {@code name} in messages. The array is not copied: do not change it while reading. */
    public static Source of(byte[] bytes, String name) {
        return new Source(name, null, bytes);
    }

    /** Reads {@code in} to its end (not closing it), refusing more than {@link #MAX_BYTES}. */
    public static Source of(InputStream in, String name) {
        try {
            byte[] b = in.readNBytes((int) MAX_BYTES);
            if (in.read() >= 0) {
                throw new CorruptFileException("more than " + MAX_BYTES + " bytes: too large for an in-memory model").at(name, null);
            }
            return new Source(name, null, b);
        } catch (IOException e) {
            throw new Lenet5Exception(null, "cannot read: " + e.getMessage(), e).at(name, null);
        }
    }

    /** What messages call this source: the file's path, a resource name, or {@code <stream>}. */
    public String name() {
        return name;
    }

    /** The file, or {@code null} for a source in memory. */
    public Path path() {
        return path;
    }

    /** Total size in bytes. */
    public long size() {
        if (bytes != null) {
            return bytes.length;
        }
        try {
            return channel().size();
        } catch (IOException e) {
            throw cannotRead(e);
        }
    }

    /** The first {@link #HEAD} bytes (fewer for a shorter source), read once. */
    public byte[] head() {
        if (head == null) {
            head = bytes != null ? Arrays.copyOf(bytes, (int) Math.min(HEAD, bytes.length)) : read(0, (int) Math.min(HEAD, size()));
        }
        return head.clone();
    }

    /** Exactly {@code length} bytes from {@code position}; an error if the source ends before. The length is checked against the size first. */
    public byte[] read(long position, int length) {
        long size = size();
        if (position < 0 || length < 0 || position > size - length) {
            throw new CorruptFileException("the data ends at byte " + size + ", before the " + length + " bytes at " + position + " it should hold")
                    .at(name, path);
        }
        if (bytes != null) {
            return Arrays.copyOfRange(bytes, (int) position, (int) position + length);
        }
        ByteBuffer b = ByteBuffer.allocate(length);
        try {
            long p = position;
            while (b.hasRemaining()) {
                int n = channel().read(b, p);
                if (n < 0) {
                    throw new CorruptFileException("the file ends at byte " + p + " (it was shortened while being read)").at(name, path);
                }
                p += n;
            }
        } catch (IOException e) {
            throw cannotRead(e);
        }
        return b.array();
    }

    /** Everything, refusing more than {@code max} bytes before reading. */
    public byte[] readAll(long max) {
        long size = size();
        if (size > Math.min(max, MAX_BYTES)) {
            throw new CorruptFileException(size + " bytes, over the limit of " + Math.min(max, MAX_BYTES) + " for this kind of file").at(name, path);
        }
        return bytes != null ? bytes.clone() : read(0, (int) size);
    }

    /**
     * Everything, as a read-only buffer that nothing else shares: a file is memory-mapped (its pages
     * are read when touched, nothing is copied), bytes in memory are wrapped. A reader working on
     * it cannot read past the end: a position or length beyond the size fails at once, where a
     * channel read would first allocate the length the file claims.
     */
    public ByteBuffer buffer() {
        if (bytes != null) {
            return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
        }
        long size = size();
        if (size > MAX_BYTES) {
            throw new CorruptFileException(size + " bytes, over the limit of " + MAX_BYTES + " for this kind of file").at(name, path);
        }
        try {
            return channel().map(FileChannel.MapMode.READ_ONLY, 0, size);
        } catch (IOException e) {
            throw cannotRead(e);
        }
    }

    private FileChannel channel() throws IOException {
        if (channel == null) {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        }
        return channel;
    }

    private Lenet5Exception cannotRead(IOException e) {
        return new Lenet5Exception(null, "cannot read: " + e.getMessage(), e).at(name, path);
    }

    @Override
    public void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing was written; closing a read-only channel cannot lose data
            }
            channel = null;
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
