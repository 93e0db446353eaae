package lenet5.torch.pickle;

import java.util.ArrayList;
import java.util.List;

/** A Python {@code set} or {@code frozenset}, kept as its items in pickle order (nothing here needs set semantics). */
public final class PySet {
    private final List<Object> items = new ArrayList<>();
    private final boolean frozen;

    public PySet(boolean frozen) {
        this.frozen = frozen;
    }

    public List<Object> items() {
        return items;
    }

    public boolean frozen() {
        return frozen;
    }

    @Override
    public String toString() {
        return Py.describe(this);
    }
}
