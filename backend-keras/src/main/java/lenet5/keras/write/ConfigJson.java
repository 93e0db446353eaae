package lenet5.keras.write;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import lenet5.keras.config.Json;

import java.util.List;

/**
 * The model config JSON in the two forms that load where they must (see
 * ../shared/docs/keras-format.md): the tf.keras 2.7 form for legacy {@code .h5}, which Keras 3,
 * tf.keras 2 and Deeplearning4j all accept, and the Keras 3 form for {@code .keras} zips.
 */
public final class ConfigJson {
    /** The Keras generation whose config form is written. */
    public enum Dialect { TF_KERAS_2, KERAS_3 }

    private final Dialect dialect;

    private ConfigJson(Dialect dialect) {
        this.dialect = dialect;
    }

    public static String of(List<KerasLayer> layers, int[] inputShape, Dialect dialect) {
        return new ConfigJson(dialect).model(layers, inputShape).toString();
    }

    private ObjectNode model(List<KerasLayer> layers, int[] inputShape) {
        ObjectNode root = obj();
        boolean k3 = dialect == Dialect.KERAS_3;
        if (k3) {
            root.put("module", "keras");
        }
        root.put("class_name", "Sequential");
        ObjectNode config = root.putObject("config");
        config.put("name", "sequential");
        if (k3) {
            config.put("trainable", true);
            config.set("dtype", dtype());
        }
        ArrayNode list = config.putArray("layers");
        list.add(inputLayer(inputShape));
        for (int i = 0; i < layers.size(); i++) {
            list.add(layer(layers.get(i), i == 0 ? inputShape : null));
        }
        if (k3) {
            config.set("build_input_shape", batchShape(inputShape));
            root.putNull("registered_name");
            root.putObject("build_config").set("input_shape", batchShape(inputShape));
            root.putObject("compile_config");
        }
        return root;
    }

    private ObjectNode inputLayer(int[] shape) {
        ObjectNode c = obj();
        c.set(dialect == Dialect.KERAS_3 ? "batch_shape" : "batch_input_shape", batchShape(shape));
        // No "ragged": Keras 3 before 3.10 does not know it, and every Keras defaults it to false.
        c.put("dtype", "float32").put("sparse", false);
        c.put("name", dialect == Dialect.KERAS_3 ? "input_layer" : "input_1");
        return wrap("InputLayer", c, null);
    }

    /** @param firstInput for the first layer, its input shape, repeated as tf.keras does (Deeplearning4j reads it there) */
    private ObjectNode layer(KerasLayer l, int[] firstInput) {
        ObjectNode c = obj();
        c.put("name", l.name()).put("trainable", true);
        if (firstInput != null && dialect == Dialect.TF_KERAS_2) {
            c.set("batch_input_shape", batchShape(firstInput));
        }
        c.set("dtype", dialect == Dialect.KERAS_3 ? dtype() : Json.mapper().getNodeFactory().textNode("float32"));
        c.setAll(l.fields());
        if (dialect == Dialect.TF_KERAS_2) {
            c.remove("groups"); // tf.keras before 2.3 and Keras 2 refuse it; every Keras defaults it to 1
            if (l.className().equals("LeakyReLU")) {
                c.set("alpha", c.remove("negative_slope")); // Keras 2's name, which Keras 3 still accepts
            }
        }
        switch (l.className()) {
            case "Conv2D", "Dense" -> {
                c.set("kernel_initializer", initializer("GlorotUniform", true));
                c.set("bias_initializer", initializer("Zeros", false));
                c.putNull("kernel_regularizer");
                c.putNull("bias_regularizer");
                if (l.className().equals("Conv2D") || dialect == Dialect.TF_KERAS_2) {
                    c.putNull("activity_regularizer");
                }
                c.putNull("kernel_constraint");
                c.putNull("bias_constraint");
            }
            case "BatchNormalization" -> {
                c.set("beta_initializer", initializer("Zeros", false));
                c.set("gamma_initializer", initializer("Ones", false));
                c.set("moving_mean_initializer", initializer("Zeros", false));
                c.set("moving_variance_initializer", initializer("Ones", false));
                for (String k : new String[] {"beta_regularizer", "gamma_regularizer", "beta_constraint", "gamma_constraint"}) {
                    c.putNull(k);
                }
            }
            case "Dropout" -> c.putNull("noise_shape").putNull("seed");
            default -> {
            }
        }
        // Keras 3 records the build input of layers it builds (not of pooling layers).
        boolean build = dialect == Dialect.KERAS_3 && !l.className().endsWith("Pooling2D");
        return wrap(l.className(), c, build ? batchShape(l.inputShape()) : null);
    }

    private ObjectNode wrap(String cls, ObjectNode config, JsonNode buildShape) {
        ObjectNode o = obj();
        if (dialect == Dialect.KERAS_3) {
            o.put("module", "keras.layers");
        }
        o.put("class_name", cls);
        o.set("config", config);
        if (dialect == Dialect.KERAS_3) {
            o.putNull("registered_name");
            if (buildShape != null) {
                o.putObject("build_config").set("input_shape", buildShape);
            }
        }
        return o;
    }

    private ObjectNode initializer(String cls, boolean seeded) {
        ObjectNode o = obj();
        if (dialect == Dialect.KERAS_3) {
            o.put("module", "keras.initializers");
        }
        o.put("class_name", cls);
        ObjectNode c = o.putObject("config");
        if (seeded) {
            c.putNull("seed");
        }
        if (dialect == Dialect.KERAS_3) {
            o.putNull("registered_name");
        }
        return o;
    }

    private static ObjectNode dtype() {
        ObjectNode d = obj().put("module", "keras").put("class_name", "DTypePolicy");
        d.putObject("config").put("name", "float32");
        d.putNull("registered_name");
        return d;
    }

    private static ArrayNode batchShape(int[] shape) {
        ArrayNode a = Json.mapper().createArrayNode().addNull();
        for (int d : shape) {
            a.add(d);
        }
        return a;
    }

    private static ObjectNode obj() {
        return Json.mapper().createObjectNode();
    }
}
