package lenet5.kernels;

import lenet5.layers.Activation;

/**
 * The activations beyond the kernels' fast tanh and relu, as plain scalar loops. Each value is
 * computed in double from the exact formula and rounded once, so the result is as close to a
 * float64 forward pass as float32 allows (PyTorch's float32 kernels round at every step).
 */
final class ActivationMath {
    private static final double SQRT_HALF = Math.sqrt(0.5);
    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
    private static final double INV_SQRT_PI = 1 / Math.sqrt(Math.PI);
    private static final double SQRT_TWO_OVER_PI = Math.sqrt(2 / Math.PI);
    /** Where erf switches from its power series to the continued fraction of erfc. */
    private static final double SERIES_LIMIT = 2.5;
    /** Continued-fraction depth: relative error below 2e-14 from 2.5 on. */
    private static final int CF_TERMS = 30;
    /** 1/(2n+3), the series' term ratios. */
    private static final double[] INV_ODD = new double[64];

    static {
        for (int n = 0; n < INV_ODD.length; n++) {
            INV_ODD[n] = 1.0 / (2 * n + 3);
        }
    }

    private ActivationMath() {
    }

    /** In place, an element-wise activation on {@code len} values from {@code off}. */
    static void apply(Activation act, float[] v, int off, int len) {
        double a = act.a(), b = act.b();
        int end = off + len;
        switch (act.function()) {
            case LEAKY_RELU -> {
                float slope = (float) a;
                for (int i = off; i < end; i++) {
                    v[i] = v[i] > 0 ? v[i] : v[i] * slope;
                }
            }
            case ELU -> {
                for (int i = off; i < end; i++) {
                    v[i] = v[i] > 0 ? v[i] : (float) (a * Math.expm1(v[i]));
                }
            }
            case HARDTANH -> {
                float lo = (float) a, hi = (float) b;
                for (int i = off; i < end; i++) {
                    // NaN stays NaN, as in PyTorch
                    v[i] = v[i] < lo ? lo : v[i] > hi ? hi : v[i];
                }
            }
            case SILU -> {
                for (int i = off; i < end; i++) {
                    double x = v[i];
                    v[i] = (float) (x / (1 + Math.exp(-x)));
                }
            }
            case GELU -> {
                for (int i = off; i < end; i++) {
                    v[i] = (float) gelu(v[i]);
                }
            }
            case GELU_TANH -> {
                for (int i = off; i < end; i++) {
                    double x = v[i];
                    v[i] = (float) (0.5 * x * (1 + Math.tanh(SQRT_TWO_OVER_PI * (x + 0.044715 * x * x * x))));
                }
            }
            case SOFTPLUS -> {
                for (int i = off; i < end; i++) {
                    double x = v[i], ax = a * x;
                    // PyTorch returns x itself above the threshold
                    v[i] = ax > b ? v[i] : (float) (Math.log1p(Math.exp(ax)) / a);
                }
            }
            case SOFTSIGN -> {
                for (int i = off; i < end; i++) {
                    double x = v[i];
                    v[i] = (float) (x / (1 + Math.abs(x)));
                }
            }
            case HARD_SIGMOID -> {
                for (int i = off; i < end; i++) {
                    double y = a * v[i] + 0.5;
                    v[i] = y <= 0 ? 0f : y >= 1 ? 1f : (float) y;
                }
            }
            default -> throw new IllegalStateException(act.function() + " is not a scalar activation");
        }
    }

    /** {@code x * Phi(x)}, Phi the standard normal distribution. */
    static double gelu(double x) {
        double z = x * SQRT_HALF;
        if (Math.abs(z) < SERIES_LIMIT) {
            return 0.5 * x * (1 + erfSeries(z));
        }
        double tail = erfcFraction(Math.abs(z)); // 1 - erf(|z|)
        return z > 0 ? x * (1 - 0.5 * tail) : 0.5 * x * tail;
    }

    /** erf(x), to about 1e-15 relative. */
    static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double z = Math.abs(x);
        double r = z < SERIES_LIMIT ? erfSeries(z) : 1 - erfcFraction(z);
        return Math.copySign(r, x);
    }

    /**
     * {@code erf(z) = 2/sqrt(pi) exp(-z^2) sum_n (2z^2)^n z / (1*3*...*(2n+1))}: every term is
     * positive, so nothing cancels; at most 38 terms below {@link #SERIES_LIMIT}.
     */
    private static double erfSeries(double z) {
        double z2 = z * z, t = z, s = z;
        for (int n = 0; n < INV_ODD.length; n++) {
            t *= 2 * z2 * INV_ODD[n];
            s += t;
            if (Math.abs(t) < 1e-17 * Math.abs(s)) {
                break;
            }
        }
        return TWO_OVER_SQRT_PI * Math.exp(-z2) * s;
    }

    /** erfc(z) for z >= 2.5: {@code exp(-z^2)/sqrt(pi) / (z + (1/2)/(z + 1/(z + (3/2)/(z + ...))))}. */
    private static double erfcFraction(double z) {
        double f = z;
        for (int k = CF_TERMS; k > 0; k--) {
            f = z + 0.5 * k / f;
        }
        return Math.exp(-z * z) * INV_SQRT_PI / f;
    }

    /** Log-softmax over {@code channels} values {@code stride} apart, in double. */
    static void logSoftmax(float[] in, float[] out, int base, int channels, int stride) {
        float max = Float.NEGATIVE_INFINITY;
        for (int c = 0; c < channels; c++) {
            max = Math.max(max, in[base + c * stride]);
        }
        double sum = 0;
        for (int c = 0; c < channels; c++) {
            sum += Math.exp((double) in[base + c * stride] - max);
        }
        double log = Math.log(sum);
        for (int c = 0; c < channels; c++) {
            int i = base + c * stride;
            out[i] = (float) (((double) in[i] - max) - log);
        }
    }
}
