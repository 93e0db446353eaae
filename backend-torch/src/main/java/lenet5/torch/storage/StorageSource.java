package lenet5.torch.storage;

import java.nio.ByteOrder;

/** Where the bytes of storages live: {@code data/<key>} zip entries, or the records after a legacy file's pickles. */
public interface StorageSource {
    /**
     * The raw bytes of the root storage {@code ref.key()}, exactly {@code ref.rootBytes()} long.
     * Implementations check the size the file declares before reading, and throw a
     * {@link lenet5.CorruptFileException} when the record is missing or has another size.
     */
    byte[] bytes(StorageRef ref);

    /** Byte order of the storage bytes (little-endian unless the file says otherwise). */
    ByteOrder order();
}
