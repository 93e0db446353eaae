package lenet5.layers;

import lenet5.ArchitectureMismatchException;
import lenet5.tensor.Shape;

/**
 * An element-wise activation, or (log-)softmax over the channel axis (PyTorch {@code dim=1},
 * Keras's last axis of a flat vector). Two parameters serve the functions that have them, with
 * the meaning {@link Function} gives; the others ignore them.
 *
 * @param a the first parameter: LeakyReLU's negative slope, ELU's alpha, Hardtanh's minimum,
 *          Softplus's beta, HardSigmoid's slope
 * @param b the second parameter: Hardtanh's maximum, Softplus's threshold
 */
public record Activation(String name, Function function, double a, double b) implements Layer {
    /** The functions, with PyTorch's default parameters (used by the two-argument constructor). */
    public enum Function {
        LINEAR, RELU, TANH, SIGMOID, SOFTMAX,
        /** {@code x - log(sum(exp(x)))} over the channels. */
        LOG_SOFTMAX,
        /** {@code x > 0 ? x : a*x}. */
        LEAKY_RELU(0.01, 0),
        /** {@code x > 0 ? x : a*(exp(x) - 1)}. */
        ELU(1, 0),
        /** {@code min(max(x, a), b)}: PyTorch's Hardtanh; ReLU6 is (0, 6). */
        HARDTANH(-1, 1),
        /** {@code x * sigmoid(x)} (swish). */
        SILU,
        /** {@code x/2 * (1 + erf(x/sqrt(2)))}. */
        GELU,
        /** {@code x/2 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3)))}: PyTorch's approximate='tanh'. */
        GELU_TANH,
        /** {@code log(1 + exp(a*x)) / a}, or {@code x} where {@code a*x > b} (PyTorch's beta and threshold). */
        SOFTPLUS(1, 20),
        /** {@code x / (1 + |x|)}. */
        SOFTSIGN,
        /**
         * {@code clip(a*x + 0.5, 0, 1)}: slope 1/6 in PyTorch and Keras 3 ({@code relu6(x+3)/6}),
         * 0.2 in Keras 1 and 2.
         */
        HARD_SIGMOID(1.0 / 6, 0);

        private final double defaultA, defaultB;

        Function() {
            this(0, 0);
        }

        Function(double a, double b) {
            this.defaultA = a;
            this.defaultB = b;
        }

        /** Lower-case name as Keras spells it (where Keras has the function). */
        public String kerasName() {
            return name().toLowerCase();
        }

        /** Softmax and log-softmax mix the channels; all others act on each value alone. */
        public boolean elementwise() {
            return this != SOFTMAX && this != LOG_SOFTMAX;
        }
    }

    public Activation {
        boolean ok = switch (function) {
            case LEAKY_RELU -> Double.isFinite(a);
            case ELU -> Double.isFinite(a);
            case HARDTANH -> Double.isFinite(a) && Double.isFinite(b) && a <= b;
            case SOFTPLUS -> Double.isFinite(a) && a != 0 && !Double.isNaN(b);
            case HARD_SIGMOID -> Double.isFinite(a) && a > 0;
            default -> true;
        };
        if (!ok) {
            throw new ArchitectureMismatchException(name + ": bad parameters " + a + ", " + b + " for " + function);
        }
    }

    /** The function with PyTorch's default parameters. */
    public Activation(String name, Function function) {
        this(name, function, function.defaultA, function.defaultB);
    }

    @Override
    public Shape outputShape(Shape in) {
        return in;
    }

    @Override
    public Activation withName(String newName) {
        return new Activation(newName, function, a, b);
    }

    @Override
    public String describe() {
        return switch (function) {
            case LOG_SOFTMAX -> "LogSoftmax";
            case SILU -> "SiLU";
            case GELU -> "GELU";
            case LEAKY_RELU -> "LeakyReLU(" + a + ")";
            case ELU -> "ELU(" + a + ")";
            case HARDTANH -> "Hardtanh(" + a + ", " + b + ")";
            case SOFTPLUS -> "Softplus(beta " + a + ", threshold " + b + ")";
            case HARD_SIGMOID -> "HardSigmoid(slope " + (float) a + ")";
            case GELU_TANH -> "GELU(tanh)";
            default -> function.name().charAt(0) + function.name().substring(1).toLowerCase();
        };
    }
}
