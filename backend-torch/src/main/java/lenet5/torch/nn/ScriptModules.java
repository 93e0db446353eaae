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
import java.util.regex.Matcher;
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
    private static final Pattern FINAL = Pattern.compile("^\\s+(\\w+)\\s*:\\s*Final\\[.*?\\]\\s*=\\s*(.+?)\\s*$", Pattern.MULTILINE);
    private static final Pattern CALL = Pattern.compile("(?<![\\w.])((?:torch|__torch__)(?:\\.\\w+)+|_\\d+)\\(");
    private static final Pattern ALIAS = Pattern.compile("^\\s+(_\\d+)\\s*=\\s*((?:__torch__|torch)(?:\\.\\w+)+)\\s*$", Pattern.MULTILINE);
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
            Map.entry("ZeroPad2d", Set.of("torch.pad", "torch.constant_pad_nd")),
            Map.entry("BatchNorm2d", Set.of("torch.batch_norm")),
            Map.entry("BatchNorm1d", Set.of("torch.batch_norm")),
            Map.entry("Identity", Set.of()));

    /** Hyperparameters without which a layer's computation is unknown (defaults would be a guess). */
    private static final Map<String, List<String>> NEEDED = Map.of(
            "Conv2d", List.of("stride", "padding"),
            "AvgPool2d", List.of("kernel_size", "stride", "padding"),
            "MaxPool2d", List.of("kernel_size", "stride", "padding"),
            "Softmax", List.of("dim"),
            "Flatten", List.of("start_dim"),
            "ZeroPad2d", List.of("padding"),
            "BatchNorm2d", List.of("eps"),
            "BatchNorm1d", List.of("eps"));

    private final Function<String, String> code;
    private final boolean hyperparameters;
    private final Map<String, String> files = new HashMap<>();
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
            String block = classBlock(module, name, label);
            attrs.putAll(finals(block));
            boolean isTraced = block.contains("argument_1");
            traced |= isTraced;
            fromCalls(name, block, attrs, isTraced, label);
            for (String needed : NEEDED.getOrDefault(name, List.of())) {
                if (!attrs.containsKey(needed)) {
                    throw new UnsupportedFormatException(label + ": cannot determine " + name + "." + needed
                            + " from the TorchScript code of " + module + "." + name);
                }
            }
        }
        return new TorchModule(path, module + "." + name, name, standard, attrs, tensors, children);
    }

    /** The text of {@code class Name(...)} in the module's code file, up to the next top-level statement. */
    private String classBlock(String module, String name, String label) {
        String rel = "code/" + module.replace('.', '/') + ".py";
        String text = files.computeIfAbsent(rel, code);
        if (text == null) {
            throw new UnsupportedFormatException(label + ": the TorchScript code " + rel + " of " + module + "." + name
                    + " is missing, so its hyperparameters cannot be determined");
        }
        Matcher m = Pattern.compile("^class " + Pattern.quote(name) + "\\b.*$", Pattern.MULTILINE).matcher(text);
        if (!m.find()) {
            throw new UnsupportedFormatException(label + ": " + rel + " has no class " + name);
        }
        int start = m.end();
        Matcher next = Pattern.compile("^\\S", Pattern.MULTILINE).matcher(text);
        int end = next.find(start + 1) ? next.start() : text.length();
        return text.substring(start, end);
    }

    private static Map<String, Object> finals(String block) {
        Map<String, Object> out = new LinkedHashMap<>();
        Matcher m = FINAL.matcher(block);
        while (m.find()) {
            try {
                Object v = PyExpr.constant(PyExpr.parse(m.group(2)));
                if (v != null) {
                    out.put(m.group(1), v);
                }
            } catch (IllegalArgumentException e) {
                // a constant this parser does not read; if it matters, the NEEDED check names it
            }
        }
        return out;
    }

    /** Hyperparameters from constant call arguments, for those the Final constants did not give. */
    private static void fromCalls(String type, String block, Map<String, Object> attrs, boolean traced, String label) {
        Map<String, String> aliases = new HashMap<>();
        Matcher am = ALIAS.matcher(block);
        while (am.find()) {
            aliases.put(am.group(1), am.group(2));
        }
        Matcher cm = CALL.matcher(block);
        while (cm.find()) {
            String callee = aliases.getOrDefault(cm.group(1), cm.group(1));
            if (callee.matches("_\\d+")) {
                continue; // a local value, not a function
            }
            PyExpr.Call call;
            try {
                call = PyExpr.parseCallAt(block, callee, cm.end() - 1);
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
            case "torch.softmax", F + "softmax" -> arg(c, 1, "dim", attrs);
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
