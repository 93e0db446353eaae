package lenet5.torch.pickle;

/** Python {@code bytes} or {@code bytearray}. */
public record PyBytes(byte[] data) {
    @Override
    public String toString() {
        return "bytes[" + data.length + "]";
    }
}
