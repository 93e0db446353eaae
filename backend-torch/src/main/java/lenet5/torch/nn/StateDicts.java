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

    public static List<Binder.Named> entries(PyDict d) {
        List<Binder.Named> out = new ArrayList<>();
        d.map().forEach((k, v) -> out.add(new Binder.Named((String) k, (TensorRef) v)));
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
