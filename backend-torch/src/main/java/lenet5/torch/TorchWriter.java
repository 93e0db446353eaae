package lenet5.torch;

import lenet5.model.Sequential;
import lenet5.tensor.Tensor;
import lenet5.torch.nn.TorchExport;
import lenet5.torch.nn.TorchSyntax;
import lenet5.torch.pickle.PickleWriter;
import lenet5.torch.pickle.PyTuple;
import lenet5.torch.zip.ZipWriter;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a model the way {@code torch.save} does: a zip with {@code <stem>/data.pkl} (a
 * protocol-2 pickle), {@code <stem>/data/<k>} (little-endian storages), {@code <stem>/byteorder}
 * and {@code <stem>/version}. Module and key order follow {@link TorchExport}, that is, the
 * Sequential that {@link lenet5.torch.nn.TorchSyntax#format} prints.
 *
 * <ul>
 *   <li>{@link #writeStateDict}: an OrderedDict of {@code _rebuild_tensor_v2} tensors, using only
 *       globals that {@code torch.load(path, weights_only=True)} allows; loaded with
 *       {@code model.load_state_dict(...)}.
 *   <li>{@link #writeFullModel}: the {@code torch.nn.Sequential} itself, as {@code torch.save(model)}
 *       pickles it (each module: GLOBAL class, NEWOBJ, attribute dict, BUILD). It references only
 *       {@code torch.nn.modules} classes and torch's tensor functions; {@code torch.load(path)}
 *       with {@code weights_only=False} returns the module.
 * </ul>
 */
final class TorchWriter {
    private record Storage(String key, byte[] bytes) {
    }

    /** Records beside data.pkl: the architecture of a state_dict as PyTorch constructor text, and its input shape (CxHxW). */
    static final String ARCHITECTURE = "extra/lenet5_architecture.txt";
    static final String INPUT_SHAPE = "extra/lenet5_input_shape.txt";

    private final PickleWriter p = new PickleWriter();
    private final Map<String, String> extra = new java.util.LinkedHashMap<>();
    private final List<Storage> storages = new ArrayList<>();

    private TorchWriter() {
    }

    static void writeStateDict(Sequential model, String stem, OutputStream out) throws IOException {
        TorchWriter w = new TorchWriter();
        List<TorchExport.Module> modules = TorchExport.modules(model);
        w.p.global("collections", "OrderedDict").emptyTuple().reduce().mark();
        for (int i = 0; i < modules.size(); i++) {
            TorchExport.Module m = modules.get(i);
            for (TorchExport.Param param : m.params()) {
                if (param.value() != null) {
                    w.p.string(i + "." + param.name());
                    w.floatTensor(param.value());
                }
            }
            if (m.batchNorm()) {
                w.p.string(i + ".num_batches_tracked");
                w.batchCounter();
            }
        }
        w.p.setItems();
        // A state_dict holds no architecture; these records (which torch.load ignores) let this
        // project read its own file back as it is. They are text, parsed as data by TorchSyntax.
        w.extra.put(ARCHITECTURE, TorchSyntax.format(model));
        w.extra.put(INPUT_SHAPE, model.inputShape().toString());
        w.finish(stem, out);
    }

    static void writeFullModel(Sequential model, String stem, OutputStream out) throws IOException {
        TorchWriter w = new TorchWriter();
        List<TorchExport.Module> modules = TorchExport.modules(model);
        w.moduleStart("torch.nn.modules.container", "Sequential");
        w.p.string("_modules");
        w.orderedDict();
        for (int i = 0; i < modules.size(); i++) {
            w.p.string(Integer.toString(i));
            w.module(modules.get(i));
        }
        w.p.setItems();
        w.moduleEnd(List.of());
        w.finish(stem, out);
    }

    private void module(TorchExport.Module m) {
        moduleStart(m.pyModule(), m.pyClass());
        p.string("_modules");
        p.global("collections", "OrderedDict").emptyTuple().reduce();
        for (Map.Entry<String, Object> a : m.attrs().entrySet()) {
            p.string(a.getKey()).value(a.getValue());
        }
        moduleEnd(m.params());
    }

    /** {@code cls.__new__(cls)}, then the start of its attribute dict with the state every nn.Module has. */
    private void moduleStart(String pyModule, String cls) {
        p.global(pyModule, cls).emptyTuple().newObj().emptyDict().mark();
        p.string("training").bool(false);
        p.string("_non_persistent_buffers_set").global("__builtin__", "set").emptyList().tuple1().reduce();
        p.string("_is_full_backward_hook").none();
        for (String hooks : new String[] {"_backward_hooks", "_forward_hooks", "_forward_pre_hooks", "_state_dict_hooks",
                "_load_state_dict_pre_hooks", "_load_state_dict_post_hooks"}) {
            p.string(hooks);
            p.global("collections", "OrderedDict").emptyTuple().reduce();
        }
    }

    /** {@code _parameters} and {@code _buffers}, then the end of the attribute dict and BUILD. */
    private void moduleEnd(List<TorchExport.Param> params) {
        p.string("_parameters");
        orderedDict();
        for (TorchExport.Param t : params) {
            if (!t.buffer() && t.value() == null) {
                p.string(t.name()).none(); // PyTorch registers a missing bias as None
            } else if (!t.buffer()) {
                p.string(t.name());
                p.global("torch._utils", "_rebuild_parameter").mark();
                floatTensor(t.value());
                p.bool(true);
                p.global("collections", "OrderedDict").emptyTuple().reduce();
                p.tuple().reduce();
            }
        }
        p.setItems();
        p.string("_buffers");
        orderedDict();
        boolean buffers = false;
        for (TorchExport.Param t : params) {
            if (t.buffer()) {
                p.string(t.name());
                floatTensor(t.value());
                buffers = true;
            }
        }
        if (buffers) {
            p.string("num_batches_tracked");
            batchCounter();
        }
        p.setItems();
        p.setItems().build();
    }

    /** {@code OrderedDict()} followed by a MARK for its items. */
    private void orderedDict() {
        p.global("collections", "OrderedDict").emptyTuple().reduce().mark();
    }

    private void floatTensor(Tensor t) {
        ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(t.size(), 4)).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(t.data());
        tensor("FloatStorage", b.array(), t.size(), t.shape());
    }

    /** BatchNorm's int64 {@code num_batches_tracked}, a 0-d tensor; load_state_dict expects it. */
    private void batchCounter() {
        tensor("LongStorage", new byte[8], 1, new int[0]);
    }

    /** {@code _rebuild_tensor_v2(storage, 0, size, stride, False, OrderedDict())} of a contiguous tensor. */
    private void tensor(String storageClass, byte[] bytes, long numel, int[] shape) {
        String key = Integer.toString(storages.size());
        storages.add(new Storage(key, bytes));
        p.global("torch._utils", "_rebuild_tensor_v2").mark();
        p.mark().string("storage").global("torch", storageClass).string(key).string("cpu").integer(numel).tuple().binPersId();
        p.integer(0);
        p.value(ints(shape));
        p.value(ints(Tensor.strides(shape)));
        p.bool(false);
        p.global("collections", "OrderedDict").emptyTuple().reduce();
        p.tuple().reduce();
    }

    private void finish(String stem, OutputStream out) throws IOException {
        ZipWriter zip = new ZipWriter(out);
        zip.add(stem + "/data.pkl", p.finish());
        zip.add(stem + "/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
        for (Storage s : storages) {
            zip.add(stem + "/data/" + s.key(), s.bytes());
        }
        for (Map.Entry<String, String> e : extra.entrySet()) {
            zip.add(stem + "/" + e.getKey(), e.getValue().getBytes(StandardCharsets.UTF_8));
        }
        zip.add(stem + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        zip.finish();
    }

    private static PyTuple ints(int[] v) {
        List<Object> items = new ArrayList<>(v.length);
        for (int x : v) {
            items.add((long) x);
        }
        return new PyTuple(items);
    }
}
