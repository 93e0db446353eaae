package lenet5.torch.pickle;

import lenet5.CorruptFileException;
import lenet5.Lenet5Exception;
import lenet5.UnsafeContentException;
import lenet5.UnsupportedFormatException;
import lenet5.torch.storage.DType;
import lenet5.torch.storage.StorageRef;
import lenet5.torch.storage.TensorRef;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The meaning of the globals in PyTorch pickles, as an allowlist. Known functions (OrderedDict,
 * {@code _rebuild_tensor_v2}, {@code build_intlist}, ...) are evaluated here as data
 * transformations; {@code torch.nn} and TorchScript ({@code __torch__}) classes become inert
 * {@link PyObject}s. Quantized and other unsupported tensor kinds are refused with
 * {@link UnsupportedFormatException}; anything dangerous or unknown with
 * {@link UnsafeContentException}. Nothing is looked up by reflection or executed.
 */
public final class TorchPickleEnv implements PickleEnv {
    /** Functions this reader evaluates itself. */
    private enum Fn {
        ORDERED_DICT, SET, FROZENSET, REBUILD_TENSOR_V2, REBUILD_TENSOR, REBUILD_PARAMETER, REBUILD_PARAMETER_WITH_STATE,
        REBUILD_FROM_TYPE_V2, BUILD_LIST, RESTORE_TYPE_TAG, TORCH_SIZE, CODECS_ENCODE, DEVICE, NUMPY_OBJECT, ERA_MARKER
    }

    /** How a class may be used: only instantiated as an inert record (NEWOBJ), never called. */
    public enum ClassKind { TORCH_MODULE, SCRIPT_MODULE, FOREIGN, TENSOR_TYPE }

    private record Function(Fn fn, PyGlobal name) {
    }

    /** A class reference that NEWOBJ may turn into an inert {@link PyObject}. */
    public record ClassRef(PyGlobal name, ClassKind kind) {
    }

    /** A {@code torch.<Type>Storage} class. */
    public record StorageType(DType dtype, PyGlobal name) {
    }

    /** What a torch 0.4-1.1 module's {@code _backend} attribute reads as: a name, nothing that runs. */
    public static final PyGlobal ERA_BACKEND = new PyGlobal("torch.nn.backends.thnn", "_get_thnn_function_backend");

    private static final Map<String, Fn> FUNCTIONS = Map.ofEntries(
            Map.entry("collections.OrderedDict", Fn.ORDERED_DICT),
            Map.entry("builtins.set", Fn.SET),
            Map.entry("__builtin__.set", Fn.SET),
            Map.entry("builtins.frozenset", Fn.FROZENSET),
            Map.entry("__builtin__.frozenset", Fn.FROZENSET),
            Map.entry("torch._utils._rebuild_tensor_v2", Fn.REBUILD_TENSOR_V2),
            Map.entry("torch._utils._rebuild_tensor", Fn.REBUILD_TENSOR),
            Map.entry("torch._utils._rebuild_parameter", Fn.REBUILD_PARAMETER),
            Map.entry("torch._utils._rebuild_parameter_with_state", Fn.REBUILD_PARAMETER_WITH_STATE),
            Map.entry("torch._tensor._rebuild_from_type_v2", Fn.REBUILD_FROM_TYPE_V2),
            Map.entry("torch.jit._pickle.build_intlist", Fn.BUILD_LIST),
            Map.entry("torch.jit._pickle.build_floatlist", Fn.BUILD_LIST),
            Map.entry("torch.jit._pickle.build_doublelist", Fn.BUILD_LIST),
            Map.entry("torch.jit._pickle.build_boollist", Fn.BUILD_LIST),
            Map.entry("torch.jit._pickle.build_tensorlist", Fn.BUILD_LIST),
            Map.entry("torch.jit._pickle.restore_type_tag", Fn.RESTORE_TYPE_TAG),
            Map.entry("torch.Size", Fn.TORCH_SIZE),
            Map.entry("_codecs.encode", Fn.CODECS_ENCODE),
            Map.entry("torch.device", Fn.DEVICE),
            // torch 0.4-1.1 full models: every module's _backend is pickled as a call of this factory with no
            // arguments. It is read as an inert marker (see ERA_BACKEND); the factory is never called.
            Map.entry("torch.nn.backends.thnn._get_thnn_function_backend", Fn.ERA_MARKER),
            // Checkpoints often carry numpy scalars and arrays (accuracy, counters); kept as inert records, never used.
            Map.entry("numpy.dtype", Fn.NUMPY_OBJECT),
            Map.entry("numpy.core.multiarray.scalar", Fn.NUMPY_OBJECT),
            Map.entry("numpy._core.multiarray.scalar", Fn.NUMPY_OBJECT),
            Map.entry("numpy.core.multiarray._reconstruct", Fn.NUMPY_OBJECT),
            Map.entry("numpy._core.multiarray._reconstruct", Fn.NUMPY_OBJECT));

    /** Names that are plain constants in a pickle (dtypes, the ndarray class passed to _reconstruct). */
    private static final Set<String> CONSTANTS = Set.of("numpy.ndarray", "torch.float32", "torch.float64", "torch.float16",
            "torch.bfloat16", "torch.int64", "torch.int32", "torch.int16", "torch.int8", "torch.uint8", "torch.bool",
            "torch.complex64", "torch.complex128", "torch.float", "torch.double", "torch.half", "torch.long", "torch.int",
            "torch.short", "torch.strided", "torch.contiguous_format", "torch.channels_last", "torch.preserve_format");

    /** Multi-GPU wrappers: an nn.Module whose only child, 'module', is the model. */
    public static final Set<String> PARALLEL_WRAPPERS = Set.of("torch.nn.parallel.data_parallel.DataParallel",
            "torch.nn.parallel.distributed.DistributedDataParallel");

    private static final Set<String> TENSOR_TYPES = Set.of("torch.Tensor", "torch.nn.parameter.Parameter",
            "torch.nn.parameter.Buffer");

    private static final Set<String> QUANTIZED_NAMES = Set.of("QInt8Storage", "QUInt8Storage", "QInt32Storage",
            "QUInt4x2Storage", "QUInt2x4Storage", "qint8", "quint8", "qint32", "quint4x2", "quint2x4",
            "per_tensor_affine", "per_channel_affine", "per_channel_affine_float_qparams", "_rebuild_qtensor");

    /** Modules whose globals are refused on sight: they reach the operating system, the interpreter or arbitrary code. */
    private static final Set<String> DANGEROUS_MODULES = Set.of("os", "posix", "nt", "subprocess", "sys", "builtins",
            "__builtin__", "shutil", "socket", "importlib", "runpy", "code", "codeop", "ctypes", "pickle", "_pickle",
            "cPickle", "marshal", "types", "functools", "operator", "io", "_io", "pty", "webbrowser", "multiprocessing",
            "signal", "threading", "_thread", "thread", "asyncio", "platform", "pathlib", "tempfile", "glob", "timeit",
            "pdb", "bdb", "inspect", "gc", "commands", "popen2", "posixpath", "ntpath", "copyreg", "copy_reg",
            "_posixsubprocess", "requests", "urllib", "urllib2", "http", "httplib", "ftplib", "smtplib", "telnetlib",
            "xmlrpc", "zipimport", "pkgutil", "site", "sysconfig", "distutils", "setuptools", "pip", "dill",
            "cloudpickle", "joblib", "yaml", "jinja2", "_codecs", "codecs", "numpy", "torch", "__torch__", "spawn");

    private static final Set<String> DANGEROUS_NAMES = Set.of("eval", "exec", "execfile", "compile", "open", "getattr",
            "setattr", "delattr", "__import__", "system", "popen", "apply", "input", "breakpoint", "globals", "locals",
            "vars", "spawnl", "spawnv", "execv", "execve", "execl", "run", "call", "check_call", "check_output", "Popen",
            "load", "loads", "remove", "rmtree", "unlink");

    /** What a user's own class name looks like ({@code __main__.LeNet5}): a dotted module path and a capitalized identifier. */
    private static final Pattern CLASS_NAME = Pattern.compile("[A-Z][A-Za-z0-9_]*");
    private static final Pattern MODULE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");

    private final Path file;
    private final String part;
    private final boolean legacyIds;
    private final Map<String, StorageRef> storages = new LinkedHashMap<>();

    /**
     * @param legacyIds whether persistent ids are the legacy format's 6-tuples (with view metadata)
     */
    public TorchPickleEnv(Path file, String part, boolean legacyIds) {
        this.file = file;
        this.part = part;
        this.legacyIds = legacyIds;
    }

    /** Every storage the pickle referred to, by key, in first-use order. */
    public Map<String, StorageRef> storages() {
        return storages;
    }

    @Override
    public Object global(String module, String name) {
        String q = module + "." + name;
        PyGlobal g = new PyGlobal(module, name);
        Fn fn = FUNCTIONS.get(q);
        if (fn != null) {
            return new Function(fn, g);
        }
        if (TENSOR_TYPES.contains(q)) {
            return new ClassRef(g, ClassKind.TENSOR_TYPE);
        }
        if (CONSTANTS.contains(q)) {
            return g;
        }
        if (module.equals("torch")) {
            DType d = DType.ofStorageClass(name);
            if (d != null) {
                return new StorageType(d, g);
            }
        }
        String unsupported = unsupportedReason(module, name);
        if (unsupported != null) {
            throw new UnsupportedFormatException(file, part + ": " + unsupported);
        }
        if (module.length() > 200 || name.length() > 200) {
            throw unsafe("global " + Py.printable(q) + " is not on the allowlist of this reader; refusing to load (nothing was executed)");
        }
        if ((module.startsWith("torch.nn.modules.") || PARALLEL_WRAPPERS.contains(q)) && CLASS_NAME.matcher(name).matches()) {
            return new ClassRef(g, ClassKind.TORCH_MODULE);
        }
        if ((module.equals("__torch__") || module.startsWith("__torch__.")) && MODULE_NAME.matcher(module).matches()
                && MODULE_NAME.matcher(name).matches()) {
            return new ClassRef(g, ClassKind.SCRIPT_MODULE);
        }
        String top = module.contains(".") ? module.substring(0, module.indexOf('.')) : module;
        if (DANGEROUS_MODULES.contains(top) || DANGEROUS_NAMES.contains(name) || !MODULE_NAME.matcher(module).matches()
                || !CLASS_NAME.matcher(name).matches()) {
            throw unsafe("global " + Py.printable(q) + " is not on the allowlist of this reader; refusing to load (nothing was executed)");
        }
        // A user's own class (e.g. __main__.LeNet5): allowed only as an inert record created by NEWOBJ.
        return new ClassRef(g, ClassKind.FOREIGN);
    }

    /** Known torch features this reader does not support, with a reason; null if the global is not one of them. */
    private static String unsupportedReason(String module, String name) {
        String q = module + "." + name;
        boolean torch = module.equals("torch") || module.startsWith("torch.");
        if (torch && (QUANTIZED_NAMES.contains(name) || module.contains("quantized") || module.startsWith("torch.ao."))) {
            return "quantized models are not supported (the file uses " + Py.printable(q) + "); save the float model instead";
        }
        if (q.equals("torch.ScriptObject")) {
            return "torch.ScriptObject (e.g. packed parameters of quantized layers) is not supported; quantized models cannot be read";
        }
        if (module.equals("torch._utils") && name.startsWith("_rebuild_")) {
            return "tensors rebuilt by " + Py.printable(q) + " (sparse, nested, meta or device-specific tensors) are not supported";
        }
        return null;
    }

    @Override
    public Object call(Object callable, PyTuple args) {
        if (callable instanceof Function f) {
            return apply(f, args);
        }
        if (callable instanceof ClassRef c) {
            throw unsafe("the pickle calls " + c.name().qualified() + "(...), which would run its code; only data is read");
        }
        throw corrupt("the pickle calls a " + Py.typeName(callable) + ", which is not callable");
    }

    private Object apply(Function f, PyTuple a) {
        String fname = f.name().qualified();
        switch (f.fn()) {
            case ORDERED_DICT -> {
                PyDict d = new PyDict(true);
                if (a.size() == 1 && a.get(0) instanceof List<?> pairs) {
                    for (Object p : pairs) {
                        // Python 3 reduces an OrderedDict to (key, value) tuples, Python 2.7 to [key, value] lists.
                        List<?> kv = p instanceof PyTuple t ? t.items() : p instanceof List<?> l ? l : null;
                        if (kv == null || kv.size() != 2 || !hashable(kv.get(0))) {
                            throw corrupt("OrderedDict(...) expects (key, value) pairs, got " + Py.describe(p));
                        }
                        d.map().put(kv.get(0), kv.get(1));
                    }
                } else if (a.size() != 0) {
                    throw corrupt("OrderedDict called with " + a.size() + " arguments");
                }
                return d;
            }
            case SET, FROZENSET -> {
                PySet s = new PySet(f.fn() == Fn.FROZENSET);
                if (a.size() == 1) {
                    s.items().addAll(items(a.get(0), fname));
                } else if (a.size() != 0) {
                    throw corrupt(fname + " called with " + a.size() + " arguments");
                }
                return s;
            }
            case REBUILD_TENSOR_V2, REBUILD_TENSOR -> {
                int min = f.fn() == Fn.REBUILD_TENSOR ? 4 : 6;
                if (a.size() < min || a.size() > min + 1) {
                    throw corrupt(fname + " called with " + a.size() + " arguments");
                }
                if (!(a.get(0) instanceof StorageRef s)) {
                    throw corrupt(fname + ": the first argument is a " + Py.typeName(a.get(0)) + ", not a storage");
                }
                try {
                    return TensorRef.of(s, integer(a.get(1), fname), longs(a.get(2), fname), longs(a.get(3), fname));
                } catch (IllegalArgumentException e) {
                    throw corrupt(fname + ": " + e.getMessage());
                }
            }
            case REBUILD_PARAMETER, REBUILD_PARAMETER_WITH_STATE -> {
                if (a.size() < 3 || !(a.get(0) instanceof TensorRef t)) {
                    throw corrupt(fname + " expects a tensor and two more arguments");
                }
                return t;
            }
            case REBUILD_FROM_TYPE_V2 -> {
                if (a.size() != 4 || !(a.get(0) instanceof Function inner) || !(a.get(1) instanceof ClassRef type)
                        || type.kind() != ClassKind.TENSOR_TYPE || !(a.get(2) instanceof PyTuple innerArgs)) {
                    throw unsupported(fname + " with a tensor subclass or arguments this reader does not know");
                }
                return apply(inner, innerArgs);
            }
            case BUILD_LIST, RESTORE_TYPE_TAG -> {
                if (a.size() < 1) {
                    throw corrupt(fname + " without arguments");
                }
                return a.get(0);
            }
            case TORCH_SIZE -> {
                if (a.size() == 0) {
                    return PyTuple.EMPTY;
                }
                return new PyTuple(items(a.get(0), fname));
            }
            case CODECS_ENCODE -> {
                if (a.size() != 2 || !(a.get(0) instanceof String s) || !(a.get(1) instanceof String enc)) {
                    throw corrupt(fname + " expects (str, encoding)");
                }
                if (enc.equalsIgnoreCase("latin1") || enc.equalsIgnoreCase("latin-1")) {
                    return new PyBytes(s.getBytes(StandardCharsets.ISO_8859_1));
                }
                if (enc.equalsIgnoreCase("utf-8") || enc.equalsIgnoreCase("utf8")) {
                    return new PyBytes(s.getBytes(StandardCharsets.UTF_8));
                }
                throw unsupported(fname + " with encoding " + Py.describe(enc));
            }
            case DEVICE -> {
                return a.size() > 0 && a.get(0) instanceof String s ? s : "device";
            }
            case ERA_MARKER -> {
                if (a.size() != 0) {
                    throw corrupt(fname + " called with " + a.size() + " arguments (torch pickles it with none)");
                }
                return ERA_BACKEND;
            }
            case NUMPY_OBJECT -> {
                return new PyObject(f.name(), a); // BUILD may fill it; nothing reads it
            }
            default -> throw new IllegalStateException(f.fn().name());
        }
    }

    @Override
    public Object newObject(Object cls, PyTuple args) {
        if (cls instanceof ClassRef c && c.kind() != ClassKind.TENSOR_TYPE) {
            return new PyObject(c.name(), args);
        }
        if (cls instanceof Function f && f.fn() == Fn.ORDERED_DICT) {
            return new PyDict(true);
        }
        if (cls instanceof Function f && (f.fn() == Fn.SET || f.fn() == Fn.FROZENSET)) {
            return new PySet(f.fn() == Fn.FROZENSET);
        }
        if (cls instanceof Function f) {
            throw unsafe("the pickle instantiates " + f.name().qualified() + ", which is not a class this reader creates");
        }
        throw corrupt("NEWOBJ on a " + Py.typeName(cls) + ", which is not a class");
    }

    @Override
    public Object persistentLoad(Object pid) {
        if (legacyIds && pid instanceof PyTuple t && t.size() == 4 && "module".equals(t.get(0))) {
            // The legacy format saves each module class with its source code, to warn when it changed; the class is what counts.
            if (t.get(1) instanceof ClassRef c && c.kind() != ClassKind.TENSOR_TYPE) {
                return c;
            }
            throw corrupt("module persistent id names a " + Py.typeName(t.get(1)) + " instead of a module class");
        }
        if (!(pid instanceof PyTuple t) || t.size() == 0 || !"storage".equals(t.get(0))) {
            throw unsupported("persistent id " + Py.describe(pid) + " is not a tensor storage");
        }
        int expected = legacyIds ? 6 : 5;
        if (t.size() != expected && !(legacyIds && t.size() == 5)) {
            throw corrupt("storage persistent id has " + t.size() + " items, expected " + expected);
        }
        if (!(t.get(1) instanceof StorageType type)) {
            throw corrupt("storage persistent id names a " + Py.typeName(t.get(1)) + " instead of a torch storage class");
        }
        if (!(t.get(2) instanceof String key) || !(t.get(3) instanceof String)) {
            throw corrupt("storage persistent id without a string key and location");
        }
        long numel = integer(t.get(4), "storage '" + key + "' size");
        StorageRef ref;
        try {
            ref = StorageRef.whole(key, type.dtype(), numel);
            Object view = t.size() == 6 ? t.get(5) : PyNone.NONE;
            if (view instanceof PyTuple v && v.size() == 3) {
                ref = new StorageRef(key, type.dtype(), numel, integer(v.get(1), "view offset"), integer(v.get(2), "view size"));
            } else if (view != PyNone.NONE) {
                throw corrupt("storage '" + key + "' has view metadata " + Py.describe(view));
            }
            Math.multiplyExact(numel, (long) type.dtype().size());
        } catch (IllegalArgumentException e) {
            throw corrupt("storage '" + key + "': " + e.getMessage());
        } catch (ArithmeticException e) {
            throw corrupt("storage '" + key + "' claims " + numel + " elements of " + type.dtype().pyName() + ", more bytes than any file holds");
        }
        StorageRef known = storages.get(key);
        if (known != null && (known.dtype() != ref.dtype() || known.rootNumel() != ref.rootNumel())) {
            throw corrupt("storage '" + key + "' is declared twice with different types or sizes");
        }
        storages.putIfAbsent(key, StorageRef.whole(key, ref.dtype(), ref.rootNumel()));
        return ref;
    }

    private static boolean hashable(Object k) {
        return k instanceof String || k instanceof Long || k instanceof Double || k instanceof Boolean || k instanceof PyNone;
    }

    private List<Object> items(Object v, String what) {
        if (v instanceof List<?> l) {
            return new java.util.ArrayList<>(l);
        }
        if (v instanceof PyTuple t) {
            return t.items();
        }
        if (v instanceof PySet s) {
            return s.items();
        }
        throw corrupt(what + " expects a sequence, got " + Py.typeName(v));
    }

    private long integer(Object v, String what) {
        if (v instanceof Long l) {
            return l;
        }
        throw corrupt(what + ": expected an int, got " + Py.describe(v));
    }

    private long[] longs(Object v, String what) {
        if (!(v instanceof PyTuple) && !(v instanceof List)) {
            throw corrupt(what + ": expected a tuple of ints, got " + Py.typeName(v));
        }
        List<Object> l = items(v, what);
        long[] out = new long[l.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = integer(l.get(i), what);
        }
        return out;
    }

    private Lenet5Exception corrupt(String m) {
        return new CorruptFileException(file, part + ": " + m);
    }

    private Lenet5Exception unsupported(String m) {
        return new UnsupportedFormatException(file, part + ": " + m);
    }

    private Lenet5Exception unsafe(String m) {
        return new UnsafeContentException(file, part + ": " + m);
    }
}
