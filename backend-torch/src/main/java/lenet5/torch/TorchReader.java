package lenet5.torch;

import lenet5.ArchitectureMismatchException;
import lenet5.CorruptFileException;
import lenet5.LoadOptions;
import lenet5.UnsupportedFormatException;
import lenet5.io.ZipReader;
import lenet5.model.Sequential;
import lenet5.spi.Source;
import lenet5.tensor.Shape;
import lenet5.torch.nn.Binder;
import lenet5.torch.nn.LayerFactory;
import lenet5.torch.nn.ModelBuilder;
import lenet5.torch.nn.PickledModules;
import lenet5.torch.nn.ScriptModules;
import lenet5.torch.nn.StateDicts;
import lenet5.torch.nn.TorchModule;
import lenet5.torch.nn.TorchSyntax;
import lenet5.torch.pickle.Py;
import lenet5.torch.pickle.PyDict;
import lenet5.torch.pickle.PyObject;
import lenet5.torch.pickle.TorchPickleEnv;
import lenet5.torch.pickle.Unpickler;
import lenet5.torch.storage.StorageSource;
import lenet5.torch.zip.LegacyArchive;
import lenet5.torch.zip.ZipArchive;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads every kind of PyTorch file into a canonical model: the container (zip, legacy,
 * TorchScript), then what the pickle holds (a full module, a state_dict, a checkpoint dict).
 */
final class TorchReader {
    static final Shape TUTORIAL_INPUT = Shape.chw(1, 28, 28);
    private static final String TUTORIAL_NOTE = " (keys and shapes of the tutorial LeNet-5: read as Tanh + AvgPool2d;"
            + " its ReLU + MaxPool2d variant has identical weights, pass the architecture if the file is that one)";
    private static final String IN_ORDER = ", weights bound in order to the given architecture";

    private final Source source;
    /** For messages of code that names the file itself; {@code null} for a source in memory (named by the format boundary). */
    private final Path file;
    private final LoadOptions options;

    TorchReader(Source source, LoadOptions options) {
        this.source = source;
        this.file = source.path();
        this.options = options;
    }

    Sequential read() {
        byte[] head = source.head();
        if (ZipReader.isZip(head)) {
            return fromZip(ZipArchive.open(source));
        }
        if (LegacyArchive.matches(head)) {
            LegacyArchive legacy = LegacyArchive.open(source);
            return fromRoot(legacy.root(), legacy, "pytorch legacy", "legacy protocol " + legacy.protocolVersion());
        }
        if (head.length > 262 && new String(head, 257, 5, StandardCharsets.US_ASCII).equals("ustar")) {
            throw new UnsupportedFormatException(file, "the tar-based format of PyTorch before 0.4 is not supported; "
                    + "load and re-save the file with a current PyTorch");
        }
        throw new UnsupportedFormatException(file, "not a PyTorch file: neither a zip archive nor the legacy format");
    }

    private Sequential fromZip(ZipArchive zip) {
        String part = zip.prefix() + "data.pkl";
        byte[] pkl = zip.read("data.pkl", ZipArchive.MAX_RECORD);
        Object root = new Unpickler(file, part, pkl, new TorchPickleEnv(file, part, false)).load();
        String v = zip.text("version");
        String version = v == null ? "unknown" : "archive version " + v;
        if (zip.names().stream().anyMatch(n -> n.startsWith("code/"))) {
            return fromScript(root, zip, version);
        }
        return fromRoot(root, zip, "pytorch zip", version);
    }

    private Sequential fromScript(Object root, ZipArchive zip, String version) {
        if (!(root instanceof PyObject obj)) {
            throw new CorruptFileException(file, "the TorchScript data.pkl holds a " + Py.typeName(root) + ", not a module");
        }
        ScriptModules reader = new ScriptModules(rel -> zip.has(rel)
                ? new String(zip.read(rel, ScriptModules.MAX_CODE), StandardCharsets.UTF_8) : null, options.architecture() == null);
        TorchModule tree = reader.read(obj);
        String format = options.architecture() != null ? "torchscript" : reader.traced() ? "torchscript (traced)" : "torchscript (scripted)";
        return fullModel(tree, zip, format, version);
    }

    private Sequential fromRoot(Object root, StorageSource source, String container, String version) {
        if (PickledModules.isModule(root)) {
            return fullModel(PickledModules.read((PyObject) root), source, container + ", full model", version);
        }
        if (StateDicts.isStateDict(root)) {
            return stateDict(StateDicts.entries((PyDict) root), source, container + ", state_dict", version);
        }
        if (root instanceof PyDict d) {
            for (String key : StateDicts.CHECKPOINT_KEYS) {
                Object v = d.get(key);
                if (PickledModules.isModule(v)) {
                    return fullModel(PickledModules.read((PyObject) v), source, container + ", checkpoint[" + key + "], full model", version);
                }
                if (StateDicts.isStateDict(v)) {
                    return stateDict(StateDicts.entries((PyDict) v), source, container + ", checkpoint[" + key + "]", version);
                }
            }
            String keys = lenet5.Text.list(d.map().keySet(), Py::describe);
            throw new UnsupportedFormatException(file, "no model found: the file holds a " + Py.typeName(d) + " with keys ["
                    + keys + "]; expected a state_dict, a torch.nn.Module, or a checkpoint with one of "
                    + StateDicts.CHECKPOINT_KEYS);
        }
        throw new UnsupportedFormatException(file, "no model found: the file holds a " + Py.typeName(root)
                + (root instanceof PyObject ? ", which is not a torch.nn.Module" : ""));
    }

    private Sequential stateDict(List<Binder.Named> tensors, StorageSource source, String format, String version) {
        if (options.architecture() != null) {
            return Binder.inOrder(file, architecture(), tensors, source).withInfo(format + IN_ORDER, version);
        }
        if (StateDicts.isTutorial(tensors)) {
            Sequential tutorial = TorchSyntax.parse(StateDicts.TUTORIAL, options.inputShape() != null ? options.inputShape() : TUTORIAL_INPUT);
            return Binder.inOrder(file, tutorial, tensors, source).withInfo(format + TUTORIAL_NOTE, version);
        }
        String listing = lenet5.Text.list(Binder.weightsOnly(tensors), n -> lenet5.Text.quote(n.name()) + " " + java.util.Arrays.toString(n.ref().shape()));
        throw new ArchitectureMismatchException(file, "this state_dict holds weights only, and its keys are not those of the tutorial "
                + "LeNet-5; pass the architecture as PyTorch constructor text, e.g. --arch \"Sequential(Conv2d(1, 6, 5), Tanh(), ...)\""
                + " (tensors in the file, bound in order: " + listing + ")");
    }

    private Sequential fullModel(TorchModule root, StorageSource source, String format, String version) {
        if (options.architecture() != null) {
            return Binder.inOrder(file, architecture(), PickledModules.tensorsInOrder(root), source).withInfo(format + IN_ORDER, version);
        }
        if (!root.isSequential() && !(root.standard() && root.children().isEmpty())) {
            throw new ArchitectureMismatchException(file, userModuleMessage(root));
        }
        List<LayerFactory.Built> built = ModelBuilder.build(ModelBuilder.leaves(root.isSequential() ? root
                : new TorchModule("", "torch.nn.Sequential", "Sequential", true, java.util.Map.of(), java.util.Map.of(), List.of(root))));
        Sequential zero = ModelBuilder.assemble(built, options.inputShape(), null);
        String note = options.inputShape() == null ? ", input " + zero.inputShape() + " inferred" : "";
        return Binder.byModule(file, zero, built, source).withInfo(format + note, version);
    }

    /** The given architecture, with the given input shape if one was also given. */
    private Sequential architecture() {
        Sequential a = options.architecture();
        Shape s = options.inputShape();
        return s == null || s.equals(a.inputShape()) ? a : new Sequential(s, a.layers(), a.info());
    }

    private static String userModuleMessage(TorchModule root) {
        String children = lenet5.Text.list(root.children(), c -> lenet5.Text.quote(c.path()) + ": " + lenet5.Text.quote(c.type()));
        return "the model is a " + root.className() + ", a user-defined nn.Module: its forward() is "
                + (root.className().startsWith("__torch__") ? "TorchScript code, which this reader does not interpret" : "Python code that the file does not contain")
                + ", so how it connects its submodules (and any functional calls such as view, flatten or relu) is unknown. "
                + "Its submodules in registration order: [" + children + "]. If forward() runs them as a plain chain, pass that "
                + "architecture, e.g. --arch \"Sequential(...)\", and the weights are bound in order";
    }
}
