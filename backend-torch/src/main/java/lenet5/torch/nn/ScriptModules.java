package lenet5.torch.nn;

import lenet5.UnsupportedFormatException;
import lenet5.torch.pickle.PyDict;
import lenet5.torch.pickle.PyNone;
import lenet5.torch.pickle.PyObject;
import lenet5.torch.storage.TensorRef;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Module trees from TorchScript archives ({@code torch.jit.script(m).save}, {@code torch.jit.trace(m, x).save}).
 * {@code data.pkl} holds the modules with their tensors and submodules but none of the
 * hyperparameters; those exist only in {@code code/__torch__/...py}: as {@code Final} class
 * constants in scripted code ({@code stride : Final[Tuple[int, int]] = (1, 1)}) and as constant
 * arguments of the calls in forward ({@code torch._convolution(x, w, b, [1, 1], [2, 2], ...)} in
 * traced code). Both are read here, the constants first; what neither gives is reported by name.
 */
public final class ScriptModules {
    public static final long MAX_CODE = 16L << 20;
    // Code text is walked by scanners (lines, call sites); patterns only ever test one short name,
    // never search a file, so no file text can make them backtrack (a "^\\s+" under MULTILINE over
    // 200,000 blank lines is quadratic).
    private static final Pattern LOCAL = Pattern.compile("_\\d+");
    private static final Pattern TORCH_NAME = Pattern.compile("(?:__torch__|torch)(?:\\.\\w+)+");
    private static final Pattern IDENTIFIER = Pattern.compile("\\w+");
    private static final Pattern MANGLE = Pattern.compile("\\.___torch_mangle_\\d+");
    private static final String F = "__torch__.torch.nn.functional.";

    /** The torch calls a traced module of each type may make; anything else means behaviour this reader would miss. */
    private static final Map<String, Set<String>> TRACED_CALLS = Map.ofEntries(
            Map.entry("Conv2d", Set.of("torch._convolution", "torch._convolution_mode", "torch.conv2d")),
            Map.entry("Linear", Set.of("torch.linear", "torch.addmm", "torch.matmul", "torch.t")),
            Map.entry("AvgPool2d", Set.of("torch.avg_pool2d")),
            Map.entry("MaxPool2d", Set.of("torch.max_pool2d", "torch.max_pool2d_with_indices")),
            Map.entry("Tanh", Set.of("torch.tanh")),
            Map.entry("ReLU", Set.of("torch.relu", "torch.relu_")),
            Map.entry("Sigmoid", Set.of("torch.sigmoid")),
            Map.entry("Softmax", Set.of("torch.softmax")),
            Map.entry("Flatten", Set.of("torch.flatten")),
            Map.entry("Dropout", Set.of("torch.dropout", "torch.feature_dropout")),
            Map.entry("Dropout1d", Set.of("torch.dropout", "torch.feature_dropout")),
            Map.entry("Dropout2d", Set.of("torch.dropout", "torch.feature_dropout")),
            Map.entry("AlphaDropout", Set.of("torch.alpha_dropout")),
            Map.entry("LogSoftmax", Set.of("torch.log_softmax")),
            Map.entry("LeakyReLU", Set.of("torch.leaky_relu", "torch.leaky_relu_")),
            Map.entry("ELU", Set.of("torch.elu", "torch.elu_")),
            Map.entry("ReLU6", Set.of("torch.hardtanh", "torch.hardtanh_")),
            Map.entry("Hardtanh", Set.of("torch.hardtanh", "torch.hardtanh_")),
            Map.entry("SiLU", Set.of("torch.silu", "torch.silu_")),
            Map.entry("GELU", Set.of("torch.gelu")),
            Map.entry("Softplus", Set.of("torch.softplus")),
            Map.entry("Softsign", Set.of("torch.abs", "torch.add", "torch.div")),
            Map.entry("Hardsigmoid", Set.of("torch.hardsigmoid", "torch.hardsigmoid_")),
            Map.entry("AdaptiveAvgPool2d", Set.of("torch.adaptive_avg_pool2d")),
            Map.entry("AdaptiveMaxPool2d", Set.of("torch.adaptive_max_pool2d")),
            Map.entry("ZeroPad2d", Set.of("torch.pad", "torch.constant_pad_nd")),
            Map.entry("BatchNorm2d", Set.of("torch.batch_norm")),
            Map.entry("BatchNorm1d", Set.of("torch.batch_norm")),
            Map.entry("Identity", Set.of()));

    /** Hyperparameters without which a layer's computation is unknown (defaults would be a guess). */
    private static final Map<String, List<String>> NEEDED = Map.ofEntries(
            Map.entry("Conv2d", List.of("stride", "padding")),
            Map.entry("AvgPool2d", List.of("kernel_size", "stride", "padding")),
            Map.entry("MaxPool2d", List.of("kernel_size", "stride", "padding")),
            Map.entry("Softmax", List.of("dim")),
            Map.entry("Flatten", List.of("start_dim")),
            Map.entry("ZeroPad2d", List.of("padding")),
            Map.entry("BatchNorm2d", List.of("eps")),
            Map.entry("BatchNorm1d", List.of("eps")),
            Map.entry("LogSoftmax", List.of("dim")),
            Map.entry("AdaptiveAvgPool2d", List.of("output_size")),
            Map.entry("AdaptiveMaxPool2d", List.of("output_size")));

    private final Function<String, String> code;
    private final boolean hyperparameters;
    /** Per code file: each top-level class's body, found in one scan of the file. */
    private final Map<String, Map<String, String>> classes = new HashMap<>();
    /** Per class: the hyperparameters its code gives (a class shared by many modules is read once). */
    private final Map<String, Map<String, Object>> fromCode = new HashMap<>();
    private int modulesLeft = lenet5.Budget.MAX_MODULES;
    private boolean traced;

    /**
     * @param code            the text of an archive entry by its name relative to the archive folder
     *                        ({@code code/__torch__/torch/nn/modules/conv.py}), or null if absent
     * @param hyperparameters whether to read them from the code (not needed when an architecture is given)
     */
    public ScriptModules(Function<String, String> code, boolean hyperparameters) {
        this.code = code;
        this.hyperparameters = hyperparameters;
    }

    /** Whether any module's code looked traced (parameters named {@code argument_1}) rather than scripted. */
    public boolean traced() {
        return traced;
    }

    public TorchModule read(PyObject root) {
        return read(root, "", 0);
    }

    private TorchModule read(PyObject obj, String path, int depth) {
        if (depth > ModelBuilder.MAX_NESTING) {
            throw new UnsupportedFormatException("modules nested more than " + ModelBuilder.MAX_NESTING + " levels deep");
        }
        if (--modulesLeft < 0) {
            throw new UnsupportedFormatException(String.format("the module tree has more than %,d modules (a submodule that appears "
                    + "twice counts twice), over the budget", lenet5.Budget.MAX_MODULES));
        }
        String module = obj.cls().module();
        String name = obj.cls().name();
        String plain = MANGLE.matcher(module).replaceAll("");
        boolean standard = plain.startsWith("__torch__.torch.nn.modules.");
        PyDict state = obj.attributes();
        Map<String, Object> attrs = new LinkedHashMap<>();
        Map<String, TensorRef> tensors = new LinkedHashMap<>();
        List<TorchModule> children = new ArrayList<>();
        if (state != null) {
            for (Map.Entry<Object, Object> e : state.map().entrySet()) {
                if (!(e.getKey() instanceof String k)) {
                    continue;
                }
                Object v = e.getValue();
                if (v instanceof TensorRef t) {
                    tensors.put(k, t);
                } else if (v instanceof PyObject child && child.cls().module().startsWith("__torch__")) {
                    children.add(read(child, TorchModule.join(path, k), depth + 1));
                } else if (!k.startsWith("_") && !k.equals("training") && v != PyNone.NONE) {
                    attrs.put(k, v);
                }
            }
        }
        String label = path.isEmpty() ? "the model" : path;
        if (hyperparameters && standard && children.isEmpty()) {
            attrs.putAll(fromCode(module, name, label));
            for (String needed : NEEDED.getOrDefault(name, List.of())) {
                if (!attrs.containsKey(needed)) {
                    throw new UnsupportedFormatException(label + ": cannot determine " + name + "." + needed
                            + " from the TorchScript code of " + module + "." + name);
                }
            }
        }
        return new TorchModule(path, module + "." + name, name, standard, attrs, tensors, children);
    }

    /** The hyperparameters the code of class {@code module.name} gives: its Final constants, then constant call arguments. */
    private Map<String, Object> fromCode(String module, String name, String label) {
        String key = module + "." + name;
        Map<String, Object> known = fromCode.get(key);
        if (known == null) {
            String block = classBlock(module, name, label);
            List<String> lines = indentedLines(block);
            known = finals(lines);
            boolean isTraced = block.contains("argument_1");
            traced |= isTraced;
            fromCalls(name, block, lines, known, isTraced, label);
            fromCode.put(key, known);
        }
        return known;
    }

    /** The text of {@code class Name(...)} in the module's code file, up to the next top-level statement. */
    private String classBlock(String module, String name, String label) {
        String rel = "code/" + module.replace('.', '/') + ".py";
        Map<String, String> blocks = classes.get(rel);
        if (blocks == null) {
            String text = code.apply(rel);
            if (text == null) {
                throw new UnsupportedFormatException(label + ": the TorchScript code " + rel + " of " + module + "." + name
                        + " is missing, so its hyperparameters cannot be determined");
            }
            blocks = classBlocks(text);
            classes.put(rel, blocks);
        }
        String block = blocks.get(name);
        if (block == null) {
            throw new UnsupportedFormatException(label + ": " + rel + " has no class " + lenet5.Text.quote(name));
        }
        return block;
    }

    /**
     * Every top-level {@code class Name...:} line with the text after it up to the next line that
     * starts with a non-blank character: one pass over the file.
     */
    static Map<String, String> classBlocks(String text) {
        Map<String, String> out = new HashMap<>();
        String name = null;
        int start = 0;
        for (int i = 0; i < text.length(); ) {
            int nl = text.indexOf('\n', i);
            int end = nl < 0 ? text.length() : nl;
            if (end > i && !Character.isWhitespace(text.charAt(i))) { // a top-level line ends the class before it
                if (name != null) {
                    out.putIfAbsent(name, text.substring(start, i));
                    name = null;
                }
                if (text.startsWith("class ", i)) {
                    int e = i + "class ".length();
                    while (e < end && (Character.isLetterOrDigit(text.charAt(e)) || text.charAt(e) == '_')) {
                        e++;
                    }
                    name = text.substring(i + "class ".length(), e);
                    start = end;
                }
            }
            i = end + 1;
        }
        if (name != null) {
            out.putIfAbsent(name, text.substring(start));
        }
        return out;
    }

    /** The indented lines of a block, stripped, found by scanning. */
    private static List<String> indentedLines(String block) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < block.length(); ) {
            int nl = block.indexOf('\n', i);
            int end = nl < 0 ? block.length() : nl;
            if (end > i && Character.isWhitespace(block.charAt(i))) {
                String line = block.substring(i, end).strip();
                if (!line.isEmpty()) {
                    out.add(line);
                }
            }
            i = end + 1;
        }
        return out;
    }

    /** {@code name : Final[...] = value} class constants. */
    private static Map<String, Object> finals(List<String> lines) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon < 0 || !IDENTIFIER.matcher(line.substring(0, colon).strip()).matches()) {
                continue;
            }
            String type = line.substring(colon + 1).stripLeading();
            if (!type.startsWith("Final[")) {
                continue;
            }
            // The first ']' followed by '=' ends the type, as the lazy ".*?\]\s*=" did.
            for (int close = type.indexOf(']'); close >= 0; close = type.indexOf(']', close + 1)) {
                String rest = type.substring(close + 1).stripLeading();
                if (rest.startsWith("=")) {
                    String value = rest.substring(1).strip();
                    if (!value.isEmpty()) {
                        try {
                            Object v = PyExpr.constant(PyExpr.parse(value));
                            if (v != null) {
                                out.put(line.substring(0, colon).strip(), v);
                            }
                        } catch (IllegalArgumentException e) {
                            // a constant this parser does not read; if it matters, the NEEDED check names it
                        }
                    }
                    break;
                }
            }
        }
        return out;
    }

    /** Hyperparameters from constant call arguments, for those the Final constants did not give. */
    private static void fromCalls(String type, String block, List<String> lines, Map<String, Object> attrs, boolean traced, String label) {
        Map<String, String> aliases = new HashMap<>();
        for (String line : lines) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                String local = line.substring(0, eq).strip(), value = line.substring(eq + 1).strip();
                if (LOCAL.matcher(local).matches() && TORCH_NAME.matcher(value).matches()) {
                    aliases.put(local, value);
                }
            }
        }
        for (int open = block.indexOf('('); open >= 0; open = block.indexOf('(', open + 1)) {
            int start = open;
            while (start > 0 && (isWord(block.charAt(start - 1)) || block.charAt(start - 1) == '.')) {
                start--;
            }
            String name = block.substring(start, open); // the whole dotted name before '(', as the regex's lookbehind required
            if (!LOCAL.matcher(name).matches() && !TORCH_NAME.matcher(name).matches()) {
                continue;
            }
            String callee = aliases.getOrDefault(name, name);
            if (LOCAL.matcher(callee).matches()) {
                continue; // a local value, not a function
            }
            PyExpr.Call call;
            try {
                call = PyExpr.parseCallAt(block, callee, open);
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (traced && callee.startsWith("torch.") && !TRACED_CALLS.getOrDefault(type, Set.of()).contains(callee)) {
                throw new UnsupportedFormatException(label + ": the traced " + type + " calls " + callee
                        + ", which this reader does not interpret");
            }
            derive(type, callee, call, attrs);
        }
    }

    private static boolean isWord(char c) {
        return c < 128 && (Character.isLetterOrDigit(c) || c == '_');
    }

    private static void derive(String type, String callee, PyExpr.Call c, Map<String, Object> attrs) {
        switch (callee) {
            case "torch._convolution" -> {
                arg(c, 3, "stride", attrs);
                arg(c, 4, "padding", attrs);
                arg(c, 5, "dilation", attrs);
                arg(c, 6, "transposed", attrs);
                arg(c, 8, "groups", attrs);
            }
            case "torch._convolution_mode", "torch.conv2d" -> {
                arg(c, 3, "stride", attrs);
                arg(c, 4, "padding", attrs);
                arg(c, 5, "dilation", attrs);
                arg(c, 6, "groups", attrs);
            }
            case "torch.avg_pool2d" -> {
                arg(c, 1, "kernel_size", attrs);
                arg(c, 2, "stride", attrs);
                arg(c, 3, "padding", attrs);
                arg(c, 4, "ceil_mode", attrs);
                arg(c, 5, "count_include_pad", attrs);
                arg(c, 6, "divisor_override", attrs);
            }
            case "torch.max_pool2d", "torch.max_pool2d_with_indices", F + "_max_pool2d" -> {
                arg(c, 1, "kernel_size", attrs);
                arg(c, 2, "stride", attrs);
                arg(c, 3, "padding", attrs);
                arg(c, 4, "dilation", attrs);
                arg(c, 5, "ceil_mode", attrs);
            }
            case "torch.softmax", F + "softmax", "torch.log_softmax", F + "log_softmax" -> arg(c, 1, "dim", attrs);
            case "torch.leaky_relu", "torch.leaky_relu_", F + "leaky_relu" -> arg(c, 1, "negative_slope", attrs);
            case "torch.elu", "torch.elu_", F + "elu" -> arg(c, 1, "alpha", attrs);
            case "torch.hardtanh", "torch.hardtanh_", F + "hardtanh" -> {
                arg(c, 1, "min_val", attrs);
                arg(c, 2, "max_val", attrs);
            }
            case "torch.softplus", F + "softplus" -> {
                arg(c, 1, "beta", attrs);
                arg(c, 2, "threshold", attrs);
            }
            case "torch.gelu", F + "gelu" -> {
                arg(c, 1, "approximate", attrs);
                if (c.kwargs().containsKey("approximate") && !attrs.containsKey("approximate")) {
                    Object v = PyExpr.constant(c.kwargs().get("approximate"));
                    if (v != null) {
                        attrs.put("approximate", v);
                    }
                }
            }
            case "torch.adaptive_avg_pool2d", "torch.adaptive_max_pool2d", F + "adaptive_avg_pool2d",
                 F + "_adaptive_max_pool2d", F + "adaptive_max_pool2d" -> arg(c, 1, "output_size", attrs);
            case "torch.flatten" -> {
                arg(c, 1, "start_dim", attrs);
                if (c.args().size() > 2) {
                    arg(c, 2, "end_dim", attrs);
                } else {
                    attrs.putIfAbsent("end_dim", -1L);
                }
            }
            case "torch.pad", "torch.constant_pad_nd" -> {
                arg(c, 1, "padding", attrs);
                if (callee.equals("torch.pad") && c.args().size() > 2) {
                    arg(c, 2, "mode", attrs); // 'constant' for ZeroPad2d; the layer factory refuses others
                }
                arg(c, callee.equals("torch.pad") ? 3 : 2, "value", attrs);
            }
            case "torch.batch_norm", F + "batch_norm" -> arg(c, 7, "eps", attrs);
            case "torch.dropout", F + "dropout" -> arg(c, 1, "p", attrs);
            default -> {
                // calls that carry no hyperparameters (torch.tanh, torch.linear, torch.dim, ...)
            }
        }
    }

    private static void arg(PyExpr.Call c, int i, String name, Map<String, Object> attrs) {
        if (i < c.args().size() && !attrs.containsKey(name)) {
            Object v = PyExpr.constant(c.args().get(i));
            if (v != null) {
                attrs.put(name, v);
            }
        }
    }
}
