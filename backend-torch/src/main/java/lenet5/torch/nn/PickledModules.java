package lenet5.torch.nn;

import lenet5.CorruptFileException;
import lenet5.UnsupportedFormatException;
import lenet5.torch.pickle.Py;
import lenet5.torch.pickle.PyDict;
import lenet5.torch.pickle.PyNone;
import lenet5.torch.pickle.PyObject;
import lenet5.torch.pickle.PySet;
import lenet5.torch.pickle.TorchPickleEnv;
import lenet5.torch.storage.TensorRef;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Module trees from full-model pickles ({@code torch.save(model)}): every module arrives as an
 * inert object whose attribute dict holds {@code _parameters}, {@code _buffers},
 * {@code _modules} and the class's hyperparameters ({@code kernel_size}, {@code stride}, ...).
 */
public final class PickledModules {
    private PickledModules() {
    }

    /** Whether a value looks like a pickled {@code nn.Module} (an object with a {@code _modules} dict). */
    public static boolean isModule(Object v) {
        return v instanceof PyObject o && o.attributes() != null && o.attributes().get("_modules") instanceof PyDict;
    }

    public static TorchModule read(PyObject obj) {
        return read(obj, "", 0, new int[] {lenet5.Budget.MAX_MODULES});
    }

    /**
     * {@code left[0]} counts down every module reached: a pickle can hold one submodule twice at
     * every level (a DAG through the memo), which depth alone does not bound.
     */
    private static TorchModule read(PyObject obj, String path, int depth, int[] left) {
        if (depth > ModelBuilder.MAX_NESTING) {
            throw new UnsupportedFormatException("modules nested more than " + ModelBuilder.MAX_NESTING + " levels deep");
        }
        if (--left[0] < 0) {
            throw new UnsupportedFormatException(String.format("the module tree has more than %,d modules (a submodule that appears "
                    + "twice counts twice), over the budget", lenet5.Budget.MAX_MODULES));
        }
        String cls = obj.cls().qualified();
        PyDict attrs = obj.attributes();
        if (attrs == null || !(attrs.get("_modules") instanceof PyDict modules)) {
            throw new UnsupportedFormatException((path.isEmpty() ? "the model" : path) + ": " + cls + " is not a torch.nn.Module");
        }
        checkEraAttributes(attrs, path, cls);
        Map<String, TensorRef> tensors = new LinkedHashMap<>();
        tensors(attrs.get("_parameters"), tensors, path, "_parameters");
        tensors(attrs.get("_buffers"), tensors, path, "_buffers");
        Map<String, Object> hyper = new LinkedHashMap<>();
        for (Map.Entry<Object, Object> e : attrs.map().entrySet()) {
            if (e.getKey() instanceof String k && !k.startsWith("_") && !k.equals("training")) {
                hyper.put(k, e.getValue());
            }
        }
        List<TorchModule> children = new ArrayList<>();
        for (Map.Entry<Object, Object> e : modules.map().entrySet()) {
            if (e.getValue() == PyNone.NONE) {
                continue; // an optional submodule that is unset
            }
            String name = e.getKey() instanceof String s ? s : Py.describe(e.getKey());
            if (!(e.getKey() instanceof String) || !(e.getValue() instanceof PyObject child)) {
                throw new CorruptFileException(TorchModule.join(path, name) + ": submodule is a " + Py.typeName(e.getValue()));
            }
            children.add(read(child, TorchModule.join(path, name), depth + 1, left));
        }
        boolean standard = obj.cls().module().startsWith("torch.nn.modules.")
                || TorchPickleEnv.PARALLEL_WRAPPERS.contains(cls);
        return new TorchModule(path, cls, obj.cls().name(), standard, hyper, tensors, children);
    }

    /**
     * The bookkeeping attributes every torch version pickles, checked for what inference relies
     * on: forward hooks would run code the file does not contain, so non-empty ones are refused;
     * torch 0.4-1.1's {@code _backend} must be the inert THNN marker; the other hook dicts, the
     * buffer set and {@code training} only have to have their types. Attributes of later versions
     * ({@code _non_persistent_buffers_set}, {@code _state_dict_hooks}, ...) may be missing.
     */
    private static void checkEraAttributes(PyDict attrs, String path, String cls) {
        String where = (path.isEmpty() ? "the model" : path) + " (" + cls + ")";
        Object backend = attrs.get("_backend");
        if (backend != null && backend != PyNone.NONE && !TorchPickleEnv.ERA_BACKEND.equals(backend)) {
            throw new UnsupportedFormatException(where + ": _backend is " + Py.describe(backend)
                    + ", not the THNN backend marker torch 0.4-1.1 pickled");
        }
        for (String hooks : List.of("_forward_hooks", "_forward_pre_hooks")) {
            Object h = attrs.get(hooks);
            if (h instanceof PyDict d && !d.map().isEmpty()) {
                throw new UnsupportedFormatException(where + ": " + hooks + " holds " + d.map().size()
                        + " hook(s), Python code that changes forward() and that the file does not contain");
            }
        }
        for (String name : List.of("_forward_hooks", "_forward_pre_hooks", "_backward_hooks", "_state_dict_hooks",
                "_load_state_dict_pre_hooks", "_load_state_dict_post_hooks", "_forward_hooks_with_kwargs",
                "_forward_pre_hooks_with_kwargs", "_forward_hooks_always_called", "_state_dict_pre_hooks")) {
            Object h = attrs.get(name);
            if (h != null && !(h instanceof PyDict)) {
                throw new CorruptFileException(where + ": " + name + " is a " + Py.typeName(h) + ", not a dict");
            }
        }
        Object np = attrs.get("_non_persistent_buffers_set");
        if (np != null && !(np instanceof PySet)) {
            throw new CorruptFileException(where + ": _non_persistent_buffers_set is a " + Py.typeName(np) + ", not a set");
        }
        Object training = attrs.get("training");
        if (training != null && !(training instanceof Boolean)) {
            throw new CorruptFileException(where + ": training is " + Py.describe(training) + ", not True or False");
        }
    }

    private static void tensors(Object dict, Map<String, TensorRef> out, String path, String what) {
        if (dict == null) {
            return;
        }
        if (!(dict instanceof PyDict d)) {
            throw new CorruptFileException((path.isEmpty() ? "the model" : path) + ": " + what + " is a " + Py.typeName(dict));
        }
        for (Map.Entry<Object, Object> e : d.map().entrySet()) {
            if (e.getValue() == PyNone.NONE) {
                continue; // e.g. bias=None
            }
            if (!(e.getKey() instanceof String k) || !(e.getValue() instanceof TensorRef t)) {
                throw new CorruptFileException((path.isEmpty() ? "the model" : path) + ": " + what + " holds a "
                        + Py.typeName(e.getValue()) + " under " + Py.describe(e.getKey()));
            }
            out.put(k, t);
        }
    }

    /** All tensors of a module tree in state_dict order: a module's own tensors, then its children's. */
    public static List<Binder.Named> tensorsInOrder(TorchModule m) {
        List<Binder.Named> out = new ArrayList<>();
        collect(m, out);
        return out;
    }

    private static void collect(TorchModule m, List<Binder.Named> out) {
        m.tensors().forEach((k, t) -> out.add(new Binder.Named(TorchModule.join(m.path(), k), t)));
        for (TorchModule c : m.children()) {
            collect(c, out);
        }
    }
}
