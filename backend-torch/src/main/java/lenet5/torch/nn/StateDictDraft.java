package lenet5.torch.nn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A state_dict's weighted modules as architecture text, for a file that holds weights only: one
 * layer per module (key prefix) in key order, its kind and sizes read from its tensors' shapes
 * (Conv2d from a 4-d weight, Linear from a 2-d one, BatchNorm from running statistics). Stride,
 * padding, activations and pooling are not in a state_dict, so this is a draft the user completes,
 * never run as is.
 */
public final class StateDictDraft {
    private static final Set<String> NORM = Set.of("weight", "bias", "running_mean", "running_var");

    /** The draft and what to check in it. */
    public record Draft(String text, String note) {
    }

    private StateDictDraft() {
    }

    /** The draft for {@code tensors} (in file order), or null when a module is not a Conv2d, Linear or BatchNorm. */
    public static Draft of(List<Binder.Named> tensors) {
        Map<String, Map<String, int[]>> modules = new LinkedHashMap<>();
        for (Binder.Named n : Binder.weightsOnly(tensors)) {
            int dot = n.name().lastIndexOf('.');
            if (dot <= 0) {
                return null;
            }
            modules.computeIfAbsent(n.name().substring(0, dot), k -> new LinkedHashMap<>()).put(n.name().substring(dot + 1), n.ref().shape());
        }
        List<String> parts = new ArrayList<>();
        int channels = 0; // of the last convolution, while no Flatten has followed it
        String hint = "";
        for (Map<String, int[]> m : modules.values()) {
            int[] w = m.get("weight");
            boolean bias = m.containsKey("bias");
            if (m.containsKey("running_mean") && NORM.containsAll(m.keySet())) {
                int c = m.get("running_mean").length == 1 ? m.get("running_mean")[0] : -1;
                if (c < 1) {
                    return null;
                }
                if (channels > 0 && c != channels) {
                    // Not the feature maps' channels: a BatchNorm1d after forward() flattens them.
                    parts.add("Flatten()");
                    hint = mapHint(c, channels);
                    channels = 0;
                }
                parts.add((channels > 0 ? "BatchNorm2d(" : "BatchNorm1d(") + c + (w == null ? ", affine=False" : "") + ")");
            } else if (w != null && w.length == 4 && Set.of("weight", "bias").containsAll(m.keySet())) {
                String k = w[2] == w[3] ? Integer.toString(w[2]) : "(" + w[2] + ", " + w[3] + ")";
                parts.add("Conv2d(" + w[1] + ", " + w[0] + ", kernel_size=" + k + (bias ? "" : ", bias=False") + ")");
                channels = w[0];
            } else if (w != null && w.length == 2 && Set.of("weight", "bias").containsAll(m.keySet())) {
                if (channels > 0) {
                    parts.add("Flatten()");
                    hint = mapHint(w[1], channels);
                    channels = 0;
                }
                parts.add("Linear(" + w[1] + ", " + w[0] + (bias ? "" : ", bias=False") + ")");
            } else {
                return null;
            }
        }
        if (parts.isEmpty()) {
            return null;
        }
        return new Draft("Sequential(" + String.join(", ", parts) + ")", "its weighted modules in key order, from the tensors' shapes, "
                + "to check against the model's code: a state_dict holds no stride, padding, eps, activation or pooling, so the draft "
                + "has Conv2d's defaults (stride 1, no padding) and none of the others: add them where forward() runs them "
                + "(ReLU(), Tanh(), MaxPool2d(2), ...; Flatten() stands where a Linear or BatchNorm1d first follows feature maps)" + hint);
    }

    /** What the first flat layer's input says about the map before it: 256 inputs after 16 channels is a 4x4 map. */
    private static String mapHint(int inputs, int channels) {
        if (inputs % channels != 0) {
            return "";
        }
        int per = inputs / channels, side = (int) Math.round(Math.sqrt(per));
        String map = side * side == per ? side + "x" + side : per + " values";
        return "; the first layer after Flatten() takes " + inputs + " values, " + channels + " channels of " + map
                + ": the layers before it must bring the map to that size";
    }
}
