package lenet5.serve;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The Open Inference Protocol's classification extension (Triton's): instead of an output's values,
 * its {@code count} highest as strings {@code "<value>:<index>"}, highest first (equal values: the
 * lower index first; NaN last). The value is printed as C's {@code %f} prints it (six decimals,
 * rounded from the exact float; {@code nan}, {@code inf}, {@code -inf}), which is how Triton writes it.
 */
final class Classification {
    private Classification() {
    }

    /** For each of the {@code values.length / k} rows of {@code k} values, its top {@code count}, row after row. */
    static String[] top(float[] values, int k, int count) {
        int rows = values.length / k;
        String[] out = new String[rows * count];
        for (int r = 0; r < rows; r++) {
            boolean[] taken = new boolean[k];
            for (int c = 0; c < count; c++) {
                int best = -1;
                for (int i = 0; i < k; i++) {
                    if (!taken[i] && (best < 0 || before(values[r * k + i], values[r * k + best]))) {
                        best = i;
                    }
                }
                taken[best] = true;
                out[r * count + c] = format(values[r * k + best]) + ":" + best;
            }
        }
        return out;
    }

    /** Whether {@code a} ranks above {@code b} (at a higher index; ties keep the lower index). */
    private static boolean before(float a, float b) {
        return !Float.isNaN(a) && (Float.isNaN(b) || a > b);
    }

    static String format(float v) {
        if (Float.isNaN(v)) {
            return "nan";
        }
        if (Float.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        String s = new BigDecimal(v).setScale(6, RoundingMode.HALF_EVEN).toPlainString();
        // C prints the sign of a negative value that rounds to zero.
        return v < 0 && !s.startsWith("-") ? "-" + s : s;
    }
}
