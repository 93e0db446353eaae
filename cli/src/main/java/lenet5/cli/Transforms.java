package lenet5.cli;

import lenet5.model.Sequential;
import lenet5.model.StoredWeight;
import lenet5.tensor.Shape;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Words for how one stored weight becomes another: the tutorial's transposes, spelled as numpy calls. */
final class Transforms {
    private Transforms() {
    }

    static String describe(StoredWeight from, StoredWeight to, Sequential model) {
        List<String> a = axes(from.layout()), b = axes(to.layout());
        String t;
        if (from.shape().size() == 1 && to.shape().size() == 1) {
            t = "identity"; // vectors (biases, norms) are the same in both conventions
        } else if (a.equals(b) || a.isEmpty() || b.isEmpty()) {
            t = a.equals(b) ? "identity" : "?";
        } else if (a.size() == b.size() && a.containsAll(b)) {
            int[] perm = new int[b.size()];
            for (int i = 0; i < b.size(); i++) {
                perm[i] = a.indexOf(b.get(i));
            }
            t = "transpose" + Arrays.toString(perm).replace('[', '(').replace(']', ')').replace(" ", "");
        } else {
            t = from.layout() + " -> " + to.layout();
        }
        if (from.layout().contains("theano") != to.layout().contains("theano")) {
            t += " + flip kh,kw";
        }
        Shape map = model.flattenedMapFeeding(from.layer());
        if (map != null && a.size() == 2) {
            boolean toKeras = b.indexOf("in") == 0;
            t += toKeras ? " + columns (C,H,W)->(H,W,C) of " + map : " + columns (H,W,C)->(C,H,W) of " + map;
        }
        return t;
    }

    /** Axis names inside the parentheses of a layout such as "(kh,kw,in,out)". */
    private static List<String> axes(String layout) {
        int s = layout.indexOf('('), e = layout.indexOf(')');
        List<String> r = new ArrayList<>();
        if (s >= 0 && e > s) {
            for (String x : layout.substring(s + 1, e).split(",")) {
                r.add(x.trim());
            }
        }
        return r;
    }
}
