package lenet5.keras;

/**
 * Bounds that keep a hostile or damaged file from exhausting memory or time. They are far
 * above anything a LeNet-class model needs (the largest real file here is 2.7 MB).
 */
public final class Limits {
    private Limits() {
    }

    /** Layers in one model config. */
    public static final int MAX_LAYERS = 1_000;
    /** JSON nesting depth; real Keras configs nest about 8 deep. */
    public static final int MAX_JSON_DEPTH = 64;
    /** Bytes of one JSON document (model_config, config.json, metadata.json). */
    public static final int MAX_JSON_BYTES = 16 << 20;
    /** Elements of one weight tensor. */
    public static final long MAX_TENSOR_ELEMENTS = 1L << 27;
    /** Bytes of the weights entry of a .keras zip (read into memory, as jhdf needs a file or a buffer). */
    public static final long MAX_ZIP_WEIGHTS_BYTES = 512L << 20;
    /** Entries in a .keras zip. */
    public static final int MAX_ZIP_ENTRIES = 10_000;
}
