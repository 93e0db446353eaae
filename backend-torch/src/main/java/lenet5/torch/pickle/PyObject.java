package lenet5.torch.pickle;

/**
 * An instance that a pickle creates with {@code cls.__new__(cls, *args)} (NEWOBJ) and fills with
 * BUILD: here only an inert record of the class name and the state, never a Java object of that
 * class. This is how {@code torch.nn} modules arrive: their attribute dict is {@link #state()}.
 */
public final class PyObject {
    private final PyGlobal cls;
    private final PyTuple args;
    private Object state;

    public PyObject(PyGlobal cls, PyTuple args) {
        this.cls = cls;
        this.args = args;
    }

    public PyGlobal cls() {
        return cls;
    }

    public PyTuple args() {
        return args;
    }

    /** What BUILD set: usually the attribute dict, or null when there was no BUILD. */
    public Object state() {
        return state;
    }

    /** The attribute dict: the BUILD state if it is a dict, or the first item of a (dict, slots) pair. */
    public PyDict attributes() {
        if (state instanceof PyDict d) {
            return d;
        }
        if (state instanceof PyTuple t && t.size() == 2 && t.get(0) instanceof PyDict d) {
            return d;
        }
        return null;
    }

    void setState(Object s) {
        this.state = s;
    }

    @Override
    public String toString() {
        return cls.qualified() + " object";
    }
}
