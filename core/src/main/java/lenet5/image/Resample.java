package lenet5.image;

/**
 * Anti-aliased, separable resampling of a one-channel image: shrinking averages the source area
 * under each output pixel (every source pixel counts, by how much of it is covered), enlarging
 * interpolates bilinearly. Outside the source counts as 0 (background ink).
 */
final class Resample {
    private Resample() {
    }

    /**
     * Output {@code outW x outH} pixels; output pixel centres map to source coordinates
     * {@code centreX + (u + 0.5 - outW / 2) / scaleX} (pixel-edge coordinates, pixel i spans [i, i+1)).
     */
    static float[] resample(Gray src, double centreX, double centreY, double scaleX, double scaleY, int outW, int outH) {
        Taps tx = Taps.of(centreX, scaleX, outW, src.width());
        Taps ty = Taps.of(centreY, scaleY, outH, src.height());
        int sw = src.width();
        // Horizontal pass only over the source rows the vertical pass reads.
        int rowLo = ty.lo(), rowHi = ty.hi();
        float[] tmp = new float[Math.max(0, rowHi - rowLo) * outW];
        for (int y = rowLo; y < rowHi; y++) {
            for (int u = 0; u < outW; u++) {
                tmp[(y - rowLo) * outW + u] = tx.apply(src.v(), y * sw, 1, u);
            }
        }
        float[] out = new float[outW * outH];
        for (int v = 0; v < outH; v++) {
            for (int u = 0; u < outW; u++) {
                out[v * outW + u] = ty.apply(tmp, -rowLo * outW + u, outW, v);
            }
        }
        return out;
    }

    /** Per output index: the first source index and the weights that follow it. */
    private record Taps(int[] first, float[][] weights) {
        static Taps of(double centre, double scale, int outN, int inN) {
            boolean area = scale < 1;
            double radius = area ? 0.5 / scale : 1.0;
            int[] first = new int[outN];
            float[][] weights = new float[outN][];
            for (int i = 0; i < outN; i++) {
                double c = centre + (i + 0.5 - outN / 2.0) / scale;
                int lo = (int) Math.floor(c - radius), hi = (int) Math.ceil(c + radius);
                double total = 0;
                for (int j = lo; j < hi; j++) {
                    total += weight(area, j, c, radius);
                }
                int a = Math.max(lo, 0), b = Math.min(hi, inN);
                float[] w = new float[Math.max(0, b - a)];
                for (int j = a; j < b; j++) {
                    // Divided by the unclipped total: what falls outside the source is background.
                    w[j - a] = (float) (weight(area, j, c, radius) / total);
                }
                first[i] = a;
                weights[i] = w;
            }
            return new Taps(first, weights);
        }

        /** Area: how much of source pixel [j, j+1) lies in [c - radius, c + radius]; otherwise the bilinear tent. */
        private static double weight(boolean area, int j, double c, double radius) {
            if (area) {
                return Math.max(0, Math.min(j + 1, c + radius) - Math.max(j, c - radius));
            }
            return Math.max(0, 1 - Math.abs(j + 0.5 - c) / radius);
        }

        int lo() {
            int m = Integer.MAX_VALUE;
            for (int i = 0; i < first.length; i++) {
                if (weights[i].length > 0) {
                    m = Math.min(m, first[i]);
                }
            }
            return m == Integer.MAX_VALUE ? 0 : m;
        }

        int hi() {
            int m = 0;
            for (int i = 0; i < first.length; i++) {
                m = Math.max(m, first[i] + weights[i].length);
            }
            return m;
        }

        /** Weighted sum for output index {@code i} of {@code data[base + j * stride]} over its source indices j. */
        float apply(float[] data, int base, int stride, int i) {
            float[] w = weights[i];
            int j0 = first[i];
            float s = 0;
            for (int k = 0; k < w.length; k++) {
                s += w[k] * data[base + (j0 + k) * stride];
            }
            return s;
        }
    }
}
