package lenet5.cli;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * {@code String.format(Locale.ROOT, "%.Nf", v)} without {@link java.util.Formatter}: the formatter
 * loads locale data on first use (tens of milliseconds of a one-image {@code predict}) and costs
 * microseconds per number (seconds for a 200,000-image listing).
 */
final class Decimals {
    private Decimals() {
    }

    /** {@code v} with {@code decimals} digits after the point, rounded half up from its shortest decimal form, as %.Nf does. */
    static String fixed(double v, int decimals) {
        if (!Double.isFinite(v)) {
            return Double.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
        }
        String s = new BigDecimal(Double.toString(v)).setScale(decimals, RoundingMode.HALF_UP).toPlainString();
        // BigDecimal has no negative zero; %.Nf keeps the sign of what rounded to zero ("-0.000000").
        return Math.copySign(1.0, v) < 0 && s.charAt(0) != '-' ? "-" + s : s;
    }
}
