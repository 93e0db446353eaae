package lenet5.cli;

import org.junit.jupiter.api.Test;

import java.util.Locale;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The output lines must not change with the formatter they no longer use: %.Nf, Locale.ROOT, is the reference. */
class DecimalsTest {
    @Test
    void sameAsFormatterForScoresLogitsAndRates() {
        SplittableRandom r = new SplittableRandom(12);
        for (int i = 0; i < 200_000; i++) {
            double v = switch (i % 4) {
                case 0 -> (float) r.nextDouble();                  // probabilities, as floats widen
                case 1 -> (float) ((r.nextDouble() - 0.5) * 60);   // logits
                case 2 -> Math.scalb(r.nextDouble() - 0.5, r.nextInt(-40, 40));
                default -> r.nextInt(0, 2_000_000) / 1e6 + 5e-7;   // decimal ties at the 7th digit
            };
            for (int decimals : new int[] {0, 3, 4, 6}) {
                assertEquals(String.format(Locale.ROOT, "%." + decimals + "f", v), Decimals.fixed(v, decimals), () -> "value " + v);
            }
        }
    }

    @Test
    void specialValues() {
        for (double v : new double[] {0.0, -0.0, -1e-9, 1e-9, 0.5, -0.5, 2.5, 0.0000005, 9.9999995, 1e20, Double.MIN_VALUE,
                Double.MAX_VALUE, Float.MAX_VALUE, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            for (int decimals : new int[] {0, 3, 6}) {
                assertEquals(String.format(Locale.ROOT, "%." + decimals + "f", v), Decimals.fixed(v, decimals), () -> "value " + v);
            }
        }
    }
}
