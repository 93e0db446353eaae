package lenet5.torch.pickle;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Python {@code dict} or {@code collections.OrderedDict}; both keep insertion order, as Python
 * dicts do. {@link #buildState()} keeps what a BUILD opcode set on it (a state_dict's
 * {@code _metadata}).
 */
public final class PyDict {
    private final Map<Object, Object> map = new LinkedHashMap<>();
    private final boolean ordered;
    private Object buildState;

    public PyDict(boolean ordered) {
        this.ordered = ordered;
    }

    /** Whether it was an OrderedDict rather than a plain dict. */
    public boolean ordered() {
        return ordered;
    }

    public Map<Object, Object> map() {
        return map;
    }

    public Object get(Object key) {
        return map.get(key);
    }

    public Object buildState() {
        return buildState;
    }

    void setBuildState(Object state) {
        this.buildState = state;
    }

    @Override
    public String toString() {
        return Py.describe(this);
    }
}
