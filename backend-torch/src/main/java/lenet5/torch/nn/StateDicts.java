package lenet5.torch.nn;

import lenet5.torch.pickle.PyDict;
import lenet5.torch.storage.TensorRef;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Recognizing state_dicts, checkpoints and the tutorial LeNet-5. */
public final class StateDicts {
    /** The tutorial LeNet-5 (tanh + average pooling), the architecture assumed for its bare state_dict. */
    public static final String TUTORIAL = "Sequential(Conv2d(1, 6, kernel_size=5, padding=2), Tanh(), AvgPool2d(2), "
            + "Conv2d(6, 16, kernel_size=5), Tanh(), AvgPool2d(2), Conv2d(16, 120, kernel_size=5), Tanh(), Flatten(), "
            + "Linear(120, 84), Tanh(), Linear(84, 10), Softmax(dim=1))";

    /** Where training checkpoints keep the model, in the order they are tried. */
    public static final List<String> CHECKPOINT_KEYS = List.of("model_state_dict", "state_dict", "model", "net", "weights");

    private static final String[] TUTORIAL_KEYS = {"0.weight", "0.bias", "3.weight", "3.bias", "6.weight", "6.bias",
            "9.weight", "9.bias", "11.weight", "11.bias"};
    private static final int[][] TUTORIAL_SHAPES = {{6, 1, 5, 5}, {6}, {16, 6, 5, 5}, {16}, {120, 16, 5, 5}, {120},
            {84, 120}, {84}, {10, 84}, {10}};

    private static final int MAX_PLAIN_DEPTH = 4;
    private static final int MAX_PLAIN_VALUES = 10_000;

    private StateDicts() {
    }

    /** A non-empty dict of string keys to tensors. */
    public static boolean isStateDict(Object v) {
        if (!(v instanceof PyDict d) || d.map().isEmpty()) {
            return false;
        }
        for (Map.Entry<Object, Object> e : d.map().entrySet()) {
            if (!(e.getKey() instanceof String) || !(e.getValue() instanceof TensorRef)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The key of a checkpoint's model when the checkpoint keeps it under a name of its own
     * ({@code 'model_state'}, {@code 'network'}, {@code 'ema'}, ...): the one string key whose
     * value is a state_dict or a module, or null when there is none or more than one (which of
     * several models is meant is not guessed).
     */
    public static String onlyModelEntry(PyDict d) {
        String found = null;
        for (Map.Entry<Object, Object> e : d.map().entrySet()) {
            if (isStateDict(e.getValue()) || PickledModules.isModule(e.getValue())) {
                if (found != null || !(e.getKey() instanceof String k)) {
                    return null;
                }
                found = k;
            }
        }
        return found;
    }

    /**
     * A state_dict that its author extended with plain entries ({@code sd['epoch'] = 5},
     * {@code sd['classes'] = [...]}): every key a string, at least one tensor under a module path
     * ({@code 0.weight}), and no other value that holds tensors or modules (that would be a
     * checkpoint, whose model must not be guessed). The names of the entries that are not
     * tensors, in file order, or null when the dict is not such a state_dict.
     */
    public static List<String> plainEntriesBesideTensors(Object v) {
        if (!(v instanceof PyDict d) || d.map().isEmpty()) {
            return null;
        }
        List<String> plain = new ArrayList<>();
        boolean dotted = false;
        int[] left = {MAX_PLAIN_VALUES};
        for (Map.Entry<Object, Object> e : d.map().entrySet()) {
            if (!(e.getKey() instanceof String k)) {
                return null;
            }
            if (e.getValue() instanceof TensorRef) {
                dotted |= k.contains(".");
            } else if (holdsModel(e.getValue(), 0, left)) {
                return null;
            } else {
                plain.add(k);
            }
        }
        return dotted && !plain.isEmpty() ? plain : null;
    }

    /**
     * Whether a value is or holds (in dicts, lists and tuples) a tensor or a module. Values nested
     * deeper than a few levels, or more of them than the budget {@code left[0]} (the memo can share
     * one list many times over), count as holding one: such a dict is not taken for a state_dict.
     */
    private static boolean holdsModel(Object v, int depth, int[] left) {
        if (v instanceof TensorRef || PickledModules.isModule(v) || depth > MAX_PLAIN_DEPTH || --left[0] < 0) {
            return true;
        }
        if (v instanceof PyDict d) {
            for (Map.Entry<Object, Object> e : d.map().entrySet()) {
                if (holdsModel(e.getKey(), depth + 1, left) || holdsModel(e.getValue(), depth + 1, left)) {
                    return true;
                }
            }
            return false;
        }
        Iterable<?> items = v instanceof List<?> l ? l : v instanceof lenet5.torch.pickle.PyTuple t ? t.items() : null;
        if (items != null) {
            for (Object item : items) {
                if (holdsModel(item, depth + 1, left)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The tensor entries of a dict, in file order (all of them for a state_dict; see {@link #plainEntriesBesideTensors}). */
    public static List<Binder.Named> entries(PyDict d) {
        List<Binder.Named> out = new ArrayList<>();
        d.map().forEach((k, v) -> {
            if (v instanceof TensorRef t) {
                out.add(new Binder.Named((String) k, t));
            }
        });
        return out;
    }

    /**
     * Whether the keys and shapes are exactly the tutorial LeNet-5's. Its ReLU + MaxPool2d variant
     * has the same keys and shapes: weights cannot tell them apart.
     */
    public static boolean isTutorial(List<Binder.Named> tensors) {
        if (tensors.size() != TUTORIAL_KEYS.length) {
            return false;
        }
        for (int i = 0; i < TUTORIAL_KEYS.length; i++) {
            String key = tensors.get(i).name();
            if (key.startsWith("module.")) {
                key = key.substring("module.".length()); // saved from a DataParallel wrapper
            }
            if (!key.equals(TUTORIAL_KEYS[i]) || !Arrays.equals(tensors.get(i).ref().shape(), TUTORIAL_SHAPES[i])) {
                return false;
            }
        }
        return true;
    }
}
