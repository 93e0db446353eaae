package lenet5.keras.config;

import com.fasterxml.jackson.databind.JsonNode;
import lenet5.CorruptFileException;
import lenet5.UnsupportedFormatException;

import java.nio.file.Path;

/**
 * One layer entry of a Keras model config, with typed accessors that accept the field names of
 * every Keras generation (Keras 1 {@code nb_filter}, {@code border_mode}, {@code subsample};
 * Keras 2+ {@code filters}, {@code padding}, {@code strides}) and name the layer in errors.
 *
 * @param group the layer group holding its weights in a legacy .h5 ({@code model_weights/<group>}):
 *              its own name, or for a layer of a nested model the nested model's name
 * @param path  where Keras 3 keeps its variables in .keras / .weights.h5 files (see {@link lenet5.keras.h5.Keras3Paths})
 */
public record LayerConfig(Path file, String className, String name, JsonNode config, String group, String path) {

    public LayerConfig(Path file, String className, String name, JsonNode config) {
        this(file, className, name, config, name, "layers/" + lenet5.keras.h5.Keras3Paths.snakeCase(className));
    }

    /**
     * How many variables Keras stores for this layer (legacy .h5 files keep a nested model's
     * variables in one list, split by these counts), or -1 for a class this reader does not split.
     */
    public int variables() {
        return switch (className) {
            case "Conv2D", "Convolution2D", "Dense" -> bool(true, "use_bias", "bias") ? 2 : 1;
            case "BatchNormalization" -> 2 + (bool(true, "scale") ? 1 : 0) + (bool(true, "center") ? 1 : 0);
            default -> -1;
        };
    }

    /** The first of {@code keys} present with a non-null value, or {@code null}. */
    public JsonNode field(String... keys) {
        for (String k : keys) {
            JsonNode v = config.get(k);
            if (v != null && !v.isNull()) {
                return v;
            }
        }
        return null;
    }

    public boolean has(String... keys) {
        return field(keys) != null;
    }

    public String text(String fallback, String... keys) {
        JsonNode v = field(keys);
        if (v == null) {
            return fallback;
        }
        if (!v.isTextual()) {
            throw corrupt("'" + keys[0] + "' should be a string, got " + v);
        }
        return v.asText();
    }

    public int integer(String... keys) {
        JsonNode v = field(keys);
        if (v == null) {
            throw corrupt("missing '" + keys[0] + "'");
        }
        return toInt(v, keys[0]);
    }

    public int integer(int fallback, String... keys) {
        JsonNode v = field(keys);
        return v == null ? fallback : toInt(v, keys[0]);
    }

    public double number(double fallback, String... keys) {
        JsonNode v = field(keys);
        if (v == null) {
            return fallback;
        }
        if (!v.isNumber()) {
            throw corrupt("'" + keys[0] + "' should be a number, got " + v);
        }
        return v.asDouble();
    }

    public boolean bool(boolean fallback, String... keys) {
        JsonNode v = field(keys);
        if (v == null) {
            return fallback;
        }
        if (!v.isBoolean()) {
            throw corrupt("'" + keys[0] + "' should be true or false, got " + v);
        }
        return v.asBoolean();
    }

    /** A 2-D size given as one number or a pair, or {@code fallback} when absent. */
    public int[] pair(int[] fallback, String... keys) {
        JsonNode v = field(keys);
        if (v == null) {
            return fallback;
        }
        if (v.isNumber()) {
            int n = toInt(v, keys[0]);
            return new int[] {n, n};
        }
        if (v.isArray() && v.size() == 2) {
            return new int[] {toInt(v.get(0), keys[0]), toInt(v.get(1), keys[0])};
        }
        throw unsupported("'" + keys[0] + "' should be a number or a pair, got " + v);
    }

    private int toInt(JsonNode v, String key) {
        if (!v.canConvertToInt() || v.isFloatingPointNumber() && v.asDouble() != Math.rint(v.asDouble())) {
            throw corrupt("'" + key + "' should be an integer, got " + v);
        }
        return v.asInt();
    }

    public UnsupportedFormatException unsupported(String problem) {
        return new UnsupportedFormatException(file, where() + problem);
    }

    public CorruptFileException corrupt(String problem) {
        return new CorruptFileException(file, where() + problem);
    }

    private String where() {
        return "layer '" + name + "' (" + className + "): ";
    }
}
