package lenet5.torch;

import lenet5.model.Sequential;
import lenet5.tensor.Tensor;
import lenet5.torch.nn.TorchExport;
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

/**
 * Writes a model as PyTorch's {@code torch.save(model.state_dict(), path)} would: a zip with
 * {@code <stem>/data.pkl} (a protocol-2 pickle of an OrderedDict of {@code _rebuild_tensor_v2}
 * float32 tensors), {@code <stem>/data/<k>} (little-endian storages), {@code <stem>/byteorder}
 * and {@code <stem>/version}. The keys follow the indices of
 * {@link lenet5.torch.nn.TorchSyntax#format}'s Sequential, so
 * {@code model.load_state_dict(torch.load(path, weights_only=True))} loads it. Only the globals
 * {@code torch.load(weights_only=True)} allows are used.
 */
final class TorchWriter {
    private record Storage(String key, byte[] bytes) {
    }

    private TorchWriter() {
    }

    static void writeStateDict(Sequential model, String stem, OutputStream out) throws IOException {
        List<TorchExport.Module> modules = TorchExport.modules(model);
        PickleWriter p = new PickleWriter();
        List<Storage> storages = new ArrayList<>();
        p.global("collections", "OrderedDict").emptyTuple().reduce().mark();
        for (int i = 0; i < modules.size(); i++) {
            TorchExport.Module m = modules.get(i);
            for (TorchExport.Param param : m.params()) {
                p.string(i + "." + param.name());
                Tensor t = param.value();
                String key = Integer.toString(storages.size());
                storages.add(new Storage(key, floats(t.data())));
                tensor(p, "FloatStorage", key, t.size(), t.shape());
            }
            if (m.batchNorm()) {
                // PyTorch's BatchNorm keeps an int64 batch counter in its state_dict; load_state_dict expects it.
                p.string(i + ".num_batches_tracked");
                String key = Integer.toString(storages.size());
                storages.add(new Storage(key, new byte[8]));
                tensor(p, "LongStorage", key, 1, new int[0]);
            }
        }
        p.setItems();
        ZipWriter zip = new ZipWriter(out);
        zip.add(stem + "/data.pkl", p.finish());
        zip.add(stem + "/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
        for (Storage s : storages) {
            zip.add(stem + "/data/" + s.key(), s.bytes());
        }
        zip.add(stem + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        zip.finish();
    }

    /** {@code _rebuild_tensor_v2(storage, 0, size, stride, False, OrderedDict())} of a contiguous tensor. */
    private static void tensor(PickleWriter p, String storageClass, String key, long numel, int[] shape) {
        p.global("torch._utils", "_rebuild_tensor_v2").mark();
        p.mark().string("storage").global("torch", storageClass).string(key).string("cpu").integer(numel).tuple().binPersId();
        p.integer(0);
        p.value(ints(shape));
        p.value(ints(Tensor.strides(shape)));
        p.bool(false);
        p.global("collections", "OrderedDict").emptyTuple().reduce();
        p.tuple().reduce();
    }

    private static PyTuple ints(int[] v) {
        List<Object> items = new ArrayList<>(v.length);
        for (int x : v) {
            items.add((long) x);
        }
        return new PyTuple(items);
    }

    private static byte[] floats(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(v.length, 4)).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return b.array();
    }
}
