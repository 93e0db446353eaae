package lenet5.keras.config;

import com.fasterxml.jackson.databind.JsonNode;
import lenet5.layers.Activation;
import lenet5.layers.Activation.Function;

/** Keras activation names, as strings or as Keras 3's serialized function objects. */
public final class Activations {
    /** The names this reader knows. */
    static final String KNOWN = "linear, relu, tanh, sigmoid, softmax, log_softmax, elu, leaky_relu, relu6, hard_tanh, "
            + "silu/swish, gelu, softplus, softsign, hard_sigmoid";

    private Activations() {
    }

    /**
     * The activation {@code v} names, as a layer called {@code name}.
     *
     * @param keras3 whether Keras 3 wrote the config: {@code hard_sigmoid} is {@code relu6(x+3)/6}
     *               there, {@code clip(0.2x+0.5, 0, 1)} in Keras 1 and 2
     */
    static Activation parse(LayerConfig l, JsonNode v, String name, boolean keras3) {
        if (v == null || v.isNull()) {
            return new Activation(name, Function.LINEAR);
        }
        // Keras 3 may write {"module": "keras.activations", "class_name": "function", "config": "relu", ...}
        JsonNode id = v.isObject() && v.path("config").isTextual() ? v.get("config") : v;
        if (!id.isTextual()) {
            throw l.unsupported("activation " + v + " (only built-in activations given by name are supported)");
        }
        return switch (id.asText()) {
            case "linear", "None" -> new Activation(name, Function.LINEAR);
            case "relu" -> new Activation(name, Function.RELU);
            case "tanh" -> new Activation(name, Function.TANH);
            case "sigmoid" -> new Activation(name, Function.SIGMOID);
            case "softmax" -> new Activation(name, Function.SOFTMAX);
            case "log_softmax" -> new Activation(name, Function.LOG_SOFTMAX);
            case "elu" -> new Activation(name, Function.ELU, 1, 0);
            case "leaky_relu" -> new Activation(name, Function.LEAKY_RELU, 0.2, 0); // Keras 3's default slope
            case "relu6" -> new Activation(name, Function.HARDTANH, 0, 6);
            case "hard_tanh" -> new Activation(name, Function.HARDTANH, -1, 1);
            case "silu", "swish" -> new Activation(name, Function.SILU);
            case "gelu" -> new Activation(name, Function.GELU); // keras.activations.gelu: approximate=False
            case "softplus" -> new Activation(name, Function.SOFTPLUS, 1, 20);
            case "softsign" -> new Activation(name, Function.SOFTSIGN);
            case "hard_sigmoid" -> new Activation(name, Function.HARD_SIGMOID, keras3 ? 1.0 / 6 : 0.2, 0);
            default -> throw l.unsupported("activation '" + id.asText() + "' is not supported (" + KNOWN + ")");
        };
    }

    /**
     * The Keras name of an activation, or null where Keras has no name for it (it may still
     * have a layer, such as LeakyReLU).
     *
     * @param keras3 whether the name is for Keras 3 ({@code hard_sigmoid} means something else in
     *               Keras 2, and {@code log_softmax}, {@code hard_tanh} exist only in Keras 3)
     */
    public static String name(Activation a, boolean keras3) {
        return switch (a.function()) {
            case LINEAR, RELU, TANH, SIGMOID, SOFTMAX, GELU, SOFTSIGN -> a.function().kerasName();
            case LOG_SOFTMAX -> "log_softmax";
            case SILU -> "swish"; // the name every Keras from 2.2 on knows (Keras 3: an alias of silu)
            case ELU -> a.a() == 1 ? "elu" : null;
            case SOFTPLUS -> a.a() == 1 && a.b() == 20 ? "softplus" : null;
            case HARDTANH -> keras3 && a.a() == -1 && a.b() == 1 ? "hard_tanh" : null;
            case HARD_SIGMOID -> keras3 && Math.abs(a.a() - 1.0 / 6) < 1e-12 ? "hard_sigmoid" : null;
            case LEAKY_RELU, GELU_TANH -> null;
        };
    }
}
