package lenet5.torch;

import lenet5.torch.nn.StateDicts;
import lenet5.torch.pickle.PyDict;
import lenet5.torch.pickle.PyTuple;
import lenet5.torch.storage.DType;
import lenet5.torch.storage.StorageRef;
import lenet5.torch.storage.TensorRef;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Which dicts pass for a state_dict with plain entries beside its tensors (the file itself:
 * testdata/torch/lenet5_relu_state_dict_extras.pt, checked against PyTorch by TorchManifestTest).
 */
class StateDictsTest {
    private static TensorRef tensor(int n) {
        return TensorRef.of(new StorageRef("0", DType.FLOAT32, n, 0, n), 0, new long[] {n}, new long[] {1});
    }

    private static PyDict dict(Object... kv) {
        PyDict d = new PyDict(true);
        for (int i = 0; i < kv.length; i += 2) {
            d.map().put(kv[i], kv[i + 1]);
        }
        return d;
    }

    @Test
    void plainEntriesBesideTensorsAreNamed() {
        PyDict d = dict("0.weight", tensor(6), "epoch", 12L, "0.bias", tensor(6), "classes", List.of("0", "1"),
                "normalize", PyTuple.of(0.1307, 0.3081), "meta", dict("lr", 0.01));
        assertEquals(List.of("epoch", "classes", "normalize", "meta"), StateDicts.plainEntriesBesideTensors(d));
        assertEquals(List.of("0.weight", "0.bias"), StateDicts.entries(d).stream().map(n -> n.name()).toList());
    }

    @Test
    void checkpointsAndOtherDictsAreNot() {
        // all tensors: an ordinary state_dict, not one with extras
        assertNull(StateDicts.plainEntriesBesideTensors(dict("0.weight", tensor(6))));
        // no tensor under a module path: {'loss': tensor, 'epoch': 3} is a checkpoint's scalars, not weights
        assertNull(StateDicts.plainEntriesBesideTensors(dict("loss", tensor(1), "epoch", 3L)));
        // another value holds tensors (an optimizer state, a second state_dict): which is the model is not guessed
        assertNull(StateDicts.plainEntriesBesideTensors(dict("0.weight", tensor(6), "optimizer", dict("state", dict(0L, tensor(6))))));
        assertNull(StateDicts.plainEntriesBesideTensors(dict("0.weight", tensor(6), "ema", List.of(tensor(6)))));
        assertNull(StateDicts.plainEntriesBesideTensors(dict(1L, tensor(6), "0.weight", tensor(6), "epoch", 1L)));
        // a value too deep or too large to look through is not plain
        Object deep = 1L;
        for (int i = 0; i < 10; i++) {
            deep = List.of(deep);
        }
        assertNull(StateDicts.plainEntriesBesideTensors(dict("0.weight", tensor(6), "deep", deep)));
        List<Object> wide = new ArrayList<>(java.util.Collections.nCopies(1_000, 1L));
        List<Object> shared = new ArrayList<>(java.util.Collections.nCopies(1_000, wide)); // one list a thousand times, as the memo can
        assertNull(StateDicts.plainEntriesBesideTensors(dict("0.weight", tensor(6), "shared", shared)));
    }
}
