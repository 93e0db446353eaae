package lenet5.torch;

import lenet5.ArchitectureRequiredException;
import lenet5.CorruptFileException;
import lenet5.Lenet5Exception;
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
import lenet5.torch.nn.RegistrationOrder;
import lenet5.torch.nn.ScriptModules;
import lenet5.torch.nn.StateDictDraft;
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
            String only = StateDicts.onlyModelEntry(d);
            if (only != null) {
                Object v = d.get(only);
                return PickledModules.isModule(v)
                        ? fullModel(PickledModules.read((PyObject) v), source, container + ", checkpoint[" + only + "], full model", version)
                        : stateDict(StateDicts.entries((PyDict) v), source, container + ", checkpoint[" + only + "]", version);
            }
            List<String> plain = StateDicts.plainEntriesBesideTensors(d);
            if (plain != null) {
                return stateDict(StateDicts.entries(d), source, container + ", state_dict (entries that are not tensors ignored: "
                        + lenet5.Text.list(plain, lenet5.Text::quote) + ")", version);
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
        Sequential recorded = recordedArchitecture(source);
        if (recorded != null) {
            return Binder.inOrder(file, recorded, tensors, source).withInfo(format + ", architecture recorded by lenet5", version);
        }
        if (StateDicts.isTutorial(tensors)) {
            Sequential tutorial = TorchSyntax.parse(StateDicts.TUTORIAL, options.inputShape() != null ? options.inputShape() : TUTORIAL_INPUT);
            return Binder.inOrder(file, tutorial, tensors, source).withInfo(format + TUTORIAL_NOTE, version);
        }
        String listing = lenet5.Text.list(Binder.weightsOnly(tensors), n -> lenet5.Text.quote(n.name()) + " " + java.util.Arrays.toString(n.ref().shape()));
        String reason = "this state_dict holds weights only, and its keys are not those of the tutorial LeNet-5 (tensors in the file, "
                + "bound in order: " + listing + ")";
        StateDictDraft.Draft draft = StateDictDraft.of(tensors);
        if (draft == null) {
            throw new ArchitectureRequiredException(file, reason,
                    "pass the architecture as PyTorch constructor text such as \"Sequential(Conv2d(1, 6, 5), Tanh(), ...)\" with", null, null);
        }
        throw new ArchitectureRequiredException(file, reason, "pass the architecture as PyTorch constructor text (the weights are bound "
                + "in order) with", draft.note(), draft.text());
    }

    /** The architecture a state_dict written by this project records beside its pickle, or null. */
    private Sequential recordedArchitecture(StorageSource source) {
        if (!(source instanceof ZipArchive zip) || !zip.has(TorchWriter.ARCHITECTURE)) {
            return null;
        }
        String text = new String(zip.read(TorchWriter.ARCHITECTURE, 1 << 20), java.nio.charset.StandardCharsets.UTF_8);
        String shape = zip.has(TorchWriter.INPUT_SHAPE) ? zip.text(TorchWriter.INPUT_SHAPE) : null;
        try {
            Shape input = options.inputShape() != null ? options.inputShape() : shape == null ? null : Shape.parse(shape.strip());
            return TorchSyntax.parse(text, input);
        } catch (Lenet5Exception | IllegalArgumentException e) {
            throw new CorruptFileException(file, TorchWriter.ARCHITECTURE + ": " + e.getMessage());
        }
    }

    private Sequential fullModel(TorchModule root, StorageSource source, String format, String version) {
        if (options.architecture() != null) {
            return Binder.inOrder(file, architecture(), PickledModules.tensorsInOrder(root), source).withInfo(format + IN_ORDER, version);
        }
        if (!root.isSequential() && !(root.standard() && root.children().isEmpty())) {
            throw userModule(root);
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

    /**
     * A user's nn.Module: its forward() is not in the file. Its modules in registration order are
     * offered as architecture text to check against forward() and pass, never run as a guess.
     */
    private ArchitectureRequiredException userModule(TorchModule root) {
        boolean script = root.className().startsWith("__torch__");
        String reason = "the model is a " + root.className() + ", a user-defined nn.Module: its forward() is "
                + (script ? "TorchScript code, which this reader does not interpret" : "Python code that the file does not contain")
                + ", so how it connects its submodules (and functional calls such as F.relu, F.max_pool2d, view or flatten) is unknown";
        String draft = RegistrationOrder.text(root);
        if (draft == null) {
            return new ArchitectureRequiredException(file, reason + "; its submodules in registration order: "
                    + RegistrationOrder.listing(root), "if forward() runs them as a chain, pass that architecture as PyTorch "
                    + "constructor text such as \"Sequential(...)\" (the weights are bound in order) with", null, null);
        }
        String listing = RegistrationOrder.listing(root);
        boolean flattenAdded = draft.contains("Flatten()") && !listing.contains(": Flatten");
        String reused = RegistrationOrder.reusable(root);
        String note = "its modules in registration order " + listing + ", to check against forward()"
                + (flattenAdded ? " (Flatten() stands where the first Linear follows feature maps: forward() flattens there, "
                        + "with x.view(x.size(0), -1) or torch.flatten(x, 1))" : "")
                + "; functions that forward() calls are not modules and so not in the draft: add each where forward() calls it "
                + "(F.relu -> ReLU(), F.max_pool2d(x, 2) -> MaxPool2d(2), torch.tanh -> Tanh(), F.softmax(x, dim=1) -> Softmax(dim=1), ...)"
                + (reused == null ? "" : "; a module that forward() uses twice must be written twice, and " + reused
                        + (reused.contains(",") ? " hold no weights and are" : " holds no weights and is")
                        + " the only one of its kind: if forward() calls it after each layer, repeat it there");
        return new ArchitectureRequiredException(file, reason, "pass the architecture as PyTorch constructor text (the weights are "
                + "bound in order) with", note, draft);
    }
}
