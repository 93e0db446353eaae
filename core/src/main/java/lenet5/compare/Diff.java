package lenet5.compare;

/**
 * How far two batches of output rows are apart: the figures every equivalence check reports.
 * Differences are absolute values, so errors of either sign count.
 *
 * @param maxAbs           largest {@code |a - b|}
 * @param maxRel           largest {@code |a - b| / max(|a|, |b|)} over pairs where that denominator exceeds 1e-12
 * @param argmaxAgreement  rows whose largest value sits at the same index in both
 * @param rows             rows compared
 * @param worstIndex       flat index of the largest absolute difference
 * @param nonFinite        pairs where exactly one side is NaN or infinite, or the two infinities differ
 */
public record Diff(double maxAbs, double maxRel, int argmaxAgreement, int rows, int worstIndex, int nonFinite) {

    /** Compares {@code rows} rows of equal length in {@code a} and {@code b}. */
    public static Diff of(float[] a, float[] b, int rows) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("cannot compare " + a.length + " values with " + b.length);
        }
        if (rows <= 0 || a.length % rows != 0) {
            throw new IllegalArgumentException(a.length + " values are not " + rows + " equal rows");
        }
        int width = a.length / rows;
        double maxAbs = 0, maxRel = 0;
        int worst = -1, nonFinite = 0;
        for (int i = 0; i < a.length; i++) {
            float x = a[i], y = b[i];
            if (!Float.isFinite(x) || !Float.isFinite(y)) {
                if (Float.compare(x, y) != 0) {
                    nonFinite++;
                }
                continue;
            }
            double d = Math.abs((double) x - (double) y);
            if (worst < 0 || d > maxAbs) {
                maxAbs = d;
                worst = i;
            }
            double den = Math.max(Math.abs((double) x), Math.abs((double) y));
            if (den > 1e-12) {
                maxRel = Math.max(maxRel, d / den);
            }
        }
        int agree = 0;
        for (int r = 0; r < rows; r++) {
            if (lenet5.model.Predictor.argmax(a, r * width, width) == lenet5.model.Predictor.argmax(b, r * width, width)) {
                agree++;
            }
        }
        return new Diff(maxAbs, maxRel, agree, rows, Math.max(worst, 0), nonFinite);
    }

    /** True when every pair is within {@code tolerance} absolutely and no non-finite value differs. */
    public boolean within(double tolerance) {
        return maxAbs <= tolerance && nonFinite == 0;
    }

    @Override
    public String toString() {
        return String.format("max_abs_diff: %.3e, max_rel_diff: %.3e, argmax_agreement: %d/%d%s",
                maxAbs, maxRel, argmaxAgreement, rows, nonFinite == 0 ? "" : ", non-finite mismatches: " + nonFinite);
    }
}
