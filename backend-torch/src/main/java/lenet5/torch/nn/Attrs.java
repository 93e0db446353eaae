package lenet5.torch.nn;

import lenet5.ArchitectureMismatchException;
import lenet5.UnsupportedFormatException;
import lenet5.torch.pickle.Py;
import lenet5.torch.pickle.PyNone;
import lenet5.torch.pickle.PyTuple;

import java.util.List;
import java.util.Map;

/** Typed access to a module's hyperparameters, with messages that name the module and the attribute. */
final class Attrs {
    private final TorchModule m;
    private final Map<String, Object> a;

    Attrs(TorchModule m) {
        this.m = m;
        this.a = m.attrs();
    }

    boolean has(String name) {
        return a.containsKey(name) && a.get(name) != PyNone.NONE;
    }

    Object raw(String name) {
        return a.get(name);
    }

    int integer(String name, int def) {
        Object v = a.get(name);
        if (v == null || v == PyNone.NONE) {
            return def;
        }
        if (v instanceof Long l && l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) {
            return (int) (long) l;
        }
        throw bad(name, "an int", v);
    }

    double number(String name, double def) {
        Object v = a.get(name);
        if (v == null || v == PyNone.NONE) {
            return def;
        }
        if (v instanceof Double d) {
            return d;
        }
        if (v instanceof Long l) {
            return l;
        }
        throw bad(name, "a number", v);
    }

    boolean bool(String name, boolean def) {
        Object v = a.get(name);
        if (v == null || v == PyNone.NONE) {
            return def;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        throw bad(name, "True or False", v);
    }

    String string(String name) {
        Object v = a.get(name);
        return v instanceof String s ? s : null;
    }

    /** An int or a sequence of {@code n} ints (PyTorch's {@code _pair}/{@code _quadruple}); a one-item sequence is repeated. */
    int[] ints(String name, int n, int[] def) {
        Object v = a.get(name);
        if (v == null || v == PyNone.NONE || (isSeq(v) && seq(v).isEmpty() && def != null)) {
            return def;
        }
        int[] out = new int[n];
        if (v instanceof Long) {
            java.util.Arrays.fill(out, integer(name, 0));
            return out;
        }
        if (isSeq(v)) {
            List<Object> items = seq(v);
            if (items.size() == n || items.size() == 1) {
                for (int i = 0; i < n; i++) {
                    Object x = items.get(items.size() == 1 ? 0 : i);
                    if (!(x instanceof Long l) || l < 0 || l > 1_000_000) {
                        throw bad(name, n + " non-negative ints", v);
                    }
                    out[i] = (int) (long) l;
                }
                return out;
            }
        }
        throw bad(name, "an int or " + n + " ints", v);
    }

    int[] require(String name, int n, int[] fallback) {
        int[] v = ints(name, n, fallback);
        if (v == null) {
            throw new ArchitectureMismatchException(m.label() + ": " + m.type() + " needs " + name + ", which is not recorded");
        }
        return v;
    }

    private static boolean isSeq(Object v) {
        return v instanceof PyTuple || v instanceof List;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> seq(Object v) {
        return v instanceof PyTuple t ? t.items() : (List<Object>) v;
    }

    ArchitectureMismatchException bad(String name, String expected, Object v) {
        return new ArchitectureMismatchException(m.label() + ": " + m.type() + " " + name + " must be " + expected
                + ", got " + Py.describe(v));
    }

    UnsupportedFormatException unsupported(String what) {
        return new UnsupportedFormatException(m.label() + ": " + m.type() + " " + what + " is not supported");
    }
}
