package lenet5.torch.pickle;

import java.math.BigInteger;
import java.util.List;

/** Shallow descriptions of unpickled values for messages. Never recursive: pickles may contain cycles. */
public final class Py {
    private static final int MAX_TEXT = 60;

    private Py() {
    }

    /** Python's name for the value's type. */
    public static String typeName(Object v) {
        if (v == null) {
            return "nothing";
        }
        if (v instanceof PyNone) {
            return "None";
        }
        if (v instanceof String) {
            return "str";
        }
        if (v instanceof Long || v instanceof BigInteger) {
            return "int";
        }
        if (v instanceof Double) {
            return "float";
        }
        if (v instanceof Boolean) {
            return "bool";
        }
        if (v instanceof PyTuple) {
            return "tuple";
        }
        if (v instanceof List) {
            return "list";
        }
        if (v instanceof PyDict d) {
            return d.ordered() ? "OrderedDict" : "dict";
        }
        if (v instanceof PySet s) {
            return s.frozen() ? "frozenset" : "set";
        }
        if (v instanceof PyBytes) {
            return "bytes";
        }
        if (v instanceof PyObject o) {
            return o.cls().qualified();
        }
        if (v instanceof PyGlobal g) {
            return "global " + g.qualified();
        }
        return v.getClass().getSimpleName();
    }

    /** A short, non-recursive description: scalars by value, containers by type and size. */
    public static String describe(Object v) {
        if (v instanceof String s) {
            return "'" + printable(s) + "'";
        }
        if (v instanceof Long || v instanceof BigInteger || v instanceof Double || v instanceof Boolean || v instanceof PyNone) {
            String s = v instanceof Boolean b ? (b ? "True" : "False") : v.toString();
            return s.length() > MAX_TEXT ? s.substring(0, MAX_TEXT) + "..." : s;
        }
        if (v instanceof PyTuple t) {
            return "tuple of " + t.size();
        }
        if (v instanceof List<?> l) {
            return "list of " + l.size();
        }
        if (v instanceof PyDict d) {
            return typeName(d) + " of " + d.map().size();
        }
        if (v instanceof PySet s) {
            return typeName(s) + " of " + s.items().size();
        }
        return typeName(v);
    }

    /** Text from a file made safe for a message: control characters escaped, capped (see {@link lenet5.Text}). */
    public static String printable(String s) {
        return lenet5.Text.escape(s, lenet5.Text.MAX_ITEM);
    }
}
