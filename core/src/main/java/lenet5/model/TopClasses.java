package lenet5.model;

/**
 * The best classes of one output row, best first, with their scores. A single output (a binary
 * sigmoid head) is the two classes 1 and 0, split at 0.5 (at 0 for logits).
 */
public record TopClasses(int[] classes, float[] scores) {
    /** The best {@code n} of the {@code k} outputs starting at {@code row[offset]} (ties: the lower class first). */
    public static TopClasses of(float[] row, int offset, int k, int n, boolean logits) {
        if (k == 1) {
            float p = row[offset];
            float other = logits ? -p : 1 - p;
            return p >= (logits ? 0f : 0.5f) ? new TopClasses(new int[] {1, 0}, new float[] {p, other})
                    : new TopClasses(new int[] {0, 1}, new float[] {other, p});
        }
        n = Math.min(n, k);
        int[] c = new int[n];
        float[] s = new float[n];
        boolean[] used = new boolean[k];
        for (int t = 0; t < n; t++) {
            int best = -1;
            for (int i = 0; i < k; i++) {
                if (!used[i] && (best < 0 || row[offset + i] > row[offset + best])) {
                    best = i;
                }
            }
            used[best] = true;
            c[t] = best;
            s[t] = row[offset + best];
        }
        return new TopClasses(c, s);
    }

    /** The predicted class. */
    public int best() {
        return classes[0];
    }

    /** Its score (probability, or logit). */
    public float score() {
        return scores[0];
    }
}
