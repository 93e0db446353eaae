package lenet5.keras;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import lenet5.layers.Conv2d;
import lenet5.layers.Dense;
import lenet5.tensor.Shape;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Checks bound weights against the raw datasets, read here with plain jhdf and indexed by hand,
 * independently of the reader's layout conversions.
 */
final class RawWeights {
    private RawWeights() {
    }

    record Raw(float[] values, int[] dims) {
    }

    static Raw read(Path file, String path) {
        try (HdfFile h = new HdfFile(file)) {
            Dataset d = h.getDatasetByPath(path);
            return new Raw((float[]) d.getDataFlat(), d.getDimensions());
        }
    }

    /**
     * Canonical (out,in,y,x) against a stored (y,x,in,out) kernel, or (out,in,y,x) when
     * {@code theanoOrder}; {@code flipped}: the canonical kernel is the stored one rotated 180 degrees.
     */
    static void assertConv(Conv2d c, Raw raw, boolean theanoOrder, boolean flipped) {
        int o = c.outChannels(), in = c.inChannels(), kh = c.kernelH(), kw = c.kernelW();
        assertArrayEquals(theanoOrder ? new int[] {o, in, kh, kw} : new int[] {kh, kw, in, o}, raw.dims(), c.name());
        float[] w = c.weight().data();
        for (int a = 0; a < o; a++) {
            for (int b = 0; b < in; b++) {
                for (int y = 0; y < kh; y++) {
                    for (int x = 0; x < kw; x++) {
                        int sy = flipped ? kh - 1 - y : y, sx = flipped ? kw - 1 - x : x;
                        int stored = theanoOrder ? ((a * in + b) * kh + sy) * kw + sx : ((sy * kw + sx) * in + b) * o + a;
                        assertEquals(raw.values()[stored], w[((a * in + b) * kh + y) * kw + x], c.name() + " kernel");
                    }
                }
            }
        }
    }

    /** Canonical (out,in) against a stored (in,out) kernel whose rows follow a Keras (H,W,C) flatten of {@code hwcMap}, if given. */
    static void assertDense(Dense d, Raw raw, Shape hwcMap) {
        int out = d.outFeatures(), in = d.inFeatures();
        assertArrayEquals(new int[] {in, out}, raw.dims(), d.name());
        float[] w = d.weight().data();
        for (int col = 0; col < in; col++) {
            int row = col;
            if (hwcMap != null) {
                int hw = hwcMap.height() * hwcMap.width();
                int ch = col / hw, y = col % hw / hwcMap.width(), x = col % hwcMap.width();
                row = (y * hwcMap.width() + x) * hwcMap.channels() + ch;
            }
            for (int r = 0; r < out; r++) {
                assertEquals(raw.values()[row * out + r], w[r * in + col], d.name() + " kernel");
            }
        }
    }

    static void assertVector(float[] actual, Raw raw, String what) {
        assertArrayEquals(raw.values(), actual, what);
    }
}
