package lenet5.torch.nn;

import lenet5.ArchitectureMismatchException;
import lenet5.layout.Layout;
import lenet5.model.ModelInfo;
import lenet5.model.Sequential;
import lenet5.tensor.Shape;
import lenet5.torch.pickle.PyNone;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The architecture of a weights-only PyTorch file, written the way PyTorch users write it:
 * {@code Sequential(Conv2d(1, 6, kernel_size=5, padding=2), Tanh(), AvgPool2d(2), ...)}, with
 * or without {@code nn.}/{@code torch.nn.} prefixes, positional and keyword arguments, ints,
 * tuples, floats, strings and booleans. {@link #format} writes the text back in a form that
 * real PyTorch evaluates to the matching module, with the state_dict keys that
 * {@link lenet5.torch.TorchFormat} writes.
 */
public final class TorchSyntax {
    /** Constructor parameters in PyTorch's order, for mapping positional arguments. */
    private static final Map<String, List<String>> SIGNATURES = Map.ofEntries(
            Map.entry("Conv2d", List.of("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation",
                    "groups", "bias", "padding_mode", "device", "dtype")),
            Map.entry("Linear", List.of("in_features", "out_features", "bias", "device", "dtype")),
            Map.entry("AvgPool2d", List.of("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override")),
            Map.entry("MaxPool2d", List.of("kernel_size", "stride", "padding", "dilation", "return_indices", "ceil_mode")),
            Map.entry("Tanh", List.of()),
            Map.entry("ReLU", List.of("inplace")),
            Map.entry("Sigmoid", List.of()),
            Map.entry("Softmax", List.of("dim")),
            Map.entry("Softmax2d", List.of()),
            Map.entry("LogSoftmax", List.of("dim")),
            Map.entry("LeakyReLU", List.of("negative_slope", "inplace")),
            Map.entry("ELU", List.of("alpha", "inplace")),
            Map.entry("ReLU6", List.of("inplace")),
            Map.entry("Hardtanh", List.of("min_val", "max_val", "inplace")),
            Map.entry("SiLU", List.of("inplace")),
            Map.entry("GELU", List.of("approximate")),
            Map.entry("Softplus", List.of("beta", "threshold")),
            Map.entry("Softsign", List.of()),
            Map.entry("Hardsigmoid", List.of("inplace")),
            Map.entry("AdaptiveAvgPool2d", List.of("output_size")),
            Map.entry("AdaptiveMaxPool2d", List.of("output_size", "return_indices")),
            Map.entry("Flatten", List.of("start_dim", "end_dim")),
            Map.entry("Dropout", List.of("p", "inplace")),
            Map.entry("Dropout1d", List.of("p", "inplace")),
            Map.entry("Dropout2d", List.of("p", "inplace")),
            Map.entry("AlphaDropout", List.of("p", "inplace")),
            Map.entry("Identity", List.of()),
            Map.entry("ZeroPad2d", List.of("padding")),
            Map.entry("ConstantPad2d", List.of("padding", "value")),
            Map.entry("BatchNorm2d", List.of("num_features", "eps", "momentum", "affine", "track_running_stats", "device", "dtype")),
            Map.entry("BatchNorm1d", List.of("num_features", "eps", "momentum", "affine", "track_running_stats", "device", "dtype")));
    private static final Map<String, List<String>> REQUIRED = Map.of(
            "AdaptiveAvgPool2d", List.of("output_size"),
            "AdaptiveMaxPool2d", List.of("output_size"),
            "Conv2d", List.of("in_channels", "out_channels", "kernel_size"),
            "Linear", List.of("in_features", "out_features"),
            "AvgPool2d", List.of("kernel_size"),
            "MaxPool2d", List.of("kernel_size"),
            "ZeroPad2d", List.of("padding"),
            "ConstantPad2d", List.of("padding", "value"),
            "BatchNorm2d", List.of("num_features"),
            "BatchNorm1d", List.of("num_features"));

    private TorchSyntax() {
    }

    /**
     * Parses an architecture. Its weights are zero; bind real ones with
     * {@link Sequential#withWeights}. Layer names are the module indices ({@code "0"}, {@code "1"}, ...,
     * {@code "2.0"} inside a nested Sequential), as in the state_dict.
     *
     * @param input the input shape (C,H,W); null to infer it (see {@link ModelBuilder#inferInput})
     * @throws ArchitectureMismatchException for text that is not such an architecture, with the reason and position
     * @throws lenet5.UnsupportedFormatException for layers or options the engine does not support
     */
    public static Sequential parse(String text, Shape input) {
        if (text == null || text.isBlank()) {
            throw new ArchitectureMismatchException("architecture text is empty");
        }
        PyExpr.Node root;
        try {
            root = PyExpr.parse(text.strip());
        } catch (IllegalArgumentException e) {
            throw new ArchitectureMismatchException("architecture text: " + e.getMessage());
        }
        TorchModule m = module(root, "");
        if (!m.isSequential()) {
            m = new TorchModule("", "torch.nn.Sequential", "Sequential", true, Map.of(), Map.of(), List.of(withPath(m, "0")));
        }
        List<LayerFactory.Built> built = ModelBuilder.build(ModelBuilder.leaves(m));
        return ModelBuilder.assemble(built, input, new ModelInfo("architecture text", "unknown", Layout.NCHW));
    }

    /** The text PyTorch evaluates to this model's {@code torch.nn.Sequential}; see {@link TorchExport}. */
    public static String format(Sequential model) {
        StringBuilder sb = new StringBuilder("torch.nn.Sequential(");
        List<TorchExport.Module> modules = TorchExport.modules(model);
        for (int i = 0; i < modules.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(modules.get(i).text());
        }
        return sb.append(")").toString();
    }

    private static TorchModule withPath(TorchModule m, String path) {
        return new TorchModule(path, m.className(), m.type(), m.standard(), m.attrs(), m.tensors(), m.children());
    }

    private static TorchModule module(PyExpr.Node node, String path) {
        if (!(node instanceof PyExpr.Call call) || call.callee() == null) {
            throw new ArchitectureMismatchException("architecture text: expected a module such as Conv2d(...) at "
                    + (path.isEmpty() ? "the top" : "position " + path) + ", got " + describe(node));
        }
        String type = simpleName(call.callee(), path);
        if (type.equals("Sequential")) {
            if (!call.kwargs().isEmpty()) {
                throw new ArchitectureMismatchException("architecture text: Sequential takes modules, not keyword arguments");
            }
            List<TorchModule> children = new ArrayList<>();
            for (int i = 0; i < call.args().size(); i++) {
                children.add(module(call.args().get(i), TorchModule.join(path, Integer.toString(i))));
            }
            return new TorchModule(path, "torch.nn.Sequential", "Sequential", true, Map.of(), Map.of(), children);
        }
        List<String> params = SIGNATURES.get(type);
        if (params == null) {
            throw new lenet5.UnsupportedFormatException("architecture text: layer " + call.callee() + " at position "
                    + path + " is not supported; supported layers: Sequential, " + String.join(", ", new java.util.TreeSet<>(SIGNATURES.keySet())));
        }
        Map<String, Object> attrs = new LinkedHashMap<>();
        if (call.args().size() > params.size()) {
            throw new ArchitectureMismatchException("architecture text: " + type + " at position " + path + " takes at most "
                    + params.size() + " positional arguments, got " + call.args().size());
        }
        for (int i = 0; i < call.args().size(); i++) {
            attrs.put(params.get(i), value(call.args().get(i), type, params.get(i), path));
        }
        for (Map.Entry<String, PyExpr.Node> kw : call.kwargs().entrySet()) {
            if (!params.contains(kw.getKey())) {
                throw new ArchitectureMismatchException("architecture text: " + type + " at position " + path
                        + " has no argument '" + kw.getKey() + "' (it takes " + String.join(", ", params) + ")");
            }
            if (attrs.put(kw.getKey(), value(kw.getValue(), type, kw.getKey(), path)) != null) {
                throw new ArchitectureMismatchException("architecture text: " + type + " at position " + path
                        + " gets '" + kw.getKey() + "' twice");
            }
        }
        for (String r : REQUIRED.getOrDefault(type, List.of())) {
            if (!attrs.containsKey(r)) {
                throw new ArchitectureMismatchException("architecture text: " + type + " at position " + path + " needs " + r);
            }
        }
        if ((type.equals("Conv2d") || type.equals("Linear")) && !attrs.containsKey("bias")) {
            attrs.put("bias", Boolean.TRUE); // PyTorch's default
        }
        return new TorchModule(path, "torch.nn." + type, type, true, attrs, Map.of(), List.of());
    }

    private static Object value(PyExpr.Node n, String type, String param, String path) {
        Object v = PyExpr.constant(n);
        if (v == null) {
            throw new ArchitectureMismatchException("architecture text: " + type + " at position " + path + " argument "
                    + param + " must be a constant, got " + describe(n));
        }
        return v;
    }

    /** {@code Conv2d}, {@code nn.Conv2d}, {@code torch.nn.Conv2d} and {@code torch.nn.modules.conv.Conv2d} all name Conv2d. */
    private static String simpleName(String callee, String path) {
        int dot = callee.lastIndexOf('.');
        String prefix = dot < 0 ? "" : callee.substring(0, dot);
        if (!(prefix.isEmpty() || prefix.equals("nn") || prefix.equals("torch.nn") || prefix.startsWith("torch.nn.modules.")
                || prefix.startsWith("nn.modules."))) {
            throw new ArchitectureMismatchException("architecture text: " + callee + " at position " + path
                    + " is not a torch.nn module");
        }
        return callee.substring(dot + 1);
    }

    private static String describe(PyExpr.Node n) {
        if (n instanceof PyExpr.Name name) {
            return "the name " + name.dotted() + " (add parentheses to make a module: " + name.dotted() + "())";
        }
        if (n instanceof PyExpr.Lit l) {
            return "the constant " + lenet5.torch.pickle.Py.describe(l.value());
        }
        return n.getClass().getSimpleName().toLowerCase();
    }
}
