package lenet5.torch.storage;

import java.nio.ByteOrder;

/** Where the bytes of storages live: {@code data/<key>} zip entries, or the records after a legacy file's pickles. */
public interface StorageSource {
    /**
     * {@code count} elements of the root storage {@code ref.key()}, starting at element
     * {@code from}. Only the span a tensor addresses is read, so a storage that claims far more
     * than a tensor uses costs no memory. Implementations first check that the file holds exactly
     * {@code ref.rootBytes()} for the key, and throw a {@link lenet5.CorruptFileException} when
     * the record is missing, has another size, or ends early.
     */
    byte[] read(StorageRef ref, long from, long count);

    /** Byte order of the storage bytes (little-endian unless the file says otherwise). */
    ByteOrder order();
}
