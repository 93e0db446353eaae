package lenet5.torch.pickle;

/** Python's {@code None}. A singleton instead of Java {@code null}, so a missing value and None stay apart. */
public enum PyNone {
    NONE;

    @Override
    public String toString() {
        return "None";
    }
}
