package lenet5.torch.pickle;

import java.util.List;

/** A Python tuple: an immutable sequence (also {@code torch.Size}). */
public record PyTuple(List<Object> items) {
    public static final PyTuple EMPTY = new PyTuple(List.of());

    public PyTuple {
        items = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(items));
    }

    public static PyTuple of(Object... items) {
        return new PyTuple(java.util.Arrays.asList(items));
    }

    public int size() {
        return items.size();
    }

    public Object get(int i) {
        return items.get(i);
    }

    /** Shallow on purpose: pickles can build cycles, and messages must never recurse through them. */
    @Override
    public String toString() {
        return Py.describe(this);
    }
}
