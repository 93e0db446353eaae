package lenet5.keras.config;

import com.fasterxml.jackson.databind.JsonNode;
import lenet5.layers.Activation;

/** Keras activation names. */
final class Activations {
    private Activations() {
    }

    static Activation.Function parse(LayerConfig l, JsonNode v) {
        if (v == null || v.isNull()) {
            return Activation.Function.LINEAR;
        }
        if (!v.isTextual()) {
            throw l.unsupported("activation " + v + " (only built-in activations given by name are supported)");
        }
        return switch (v.asText()) {
            case "linear", "None" -> Activation.Function.LINEAR;
            case "relu" -> Activation.Function.RELU;
            case "tanh" -> Activation.Function.TANH;
            case "sigmoid" -> Activation.Function.SIGMOID;
            case "softmax" -> Activation.Function.SOFTMAX;
            default -> throw l.unsupported("activation '" + v.asText() + "' is not supported (linear, relu, tanh, sigmoid, softmax)");
        };
    }
}
