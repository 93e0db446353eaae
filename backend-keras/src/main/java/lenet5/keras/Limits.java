package lenet5.keras;

/**
 * Bounds that keep a hostile or damaged file from exhausting memory or time. They are far
 * above anything a LeNet-class model needs (the largest real file here is 2.7 MB).
 */
public final class Limits {
    private Limits() {
    }

    /** Layers in one model config (the model budget, {@link lenet5.Budget}). */
    public static final int MAX_LAYERS = lenet5.Budget.MAX_LAYERS;
    /** JSON nesting depth; real Keras configs nest about 8 deep. */
    public static final int MAX_JSON_DEPTH = 64;
    /** Bytes of one JSON document (model_config, config.json, metadata.json). */
    public static final int MAX_JSON_BYTES = 16 << 20;
    /** Elements of one weight tensor: no model within the budget has more. */
    public static final long MAX_TENSOR_ELEMENTS = lenet5.Budget.MAX_PARAMETERS;
    /**
     * Bytes of the weights entry of a .keras zip (inflated into memory, as jhdf needs a file or a
     * buffer): 4 bytes per parameter of the largest model within the budget, plus room for HDF5's
     * own structures; never more than an eighth of the heap (see {@link #zipWeightsBytes()}).
     */
    public static final long MAX_ZIP_WEIGHTS_BYTES = 4 * lenet5.Budget.MAX_PARAMETERS + (16 << 20);
    /** The weights-entry limit on this JVM: inflating it must leave the heap room to build the model. */
    public static long zipWeightsBytes() {
        return Math.min(MAX_ZIP_WEIGHTS_BYTES, Runtime.getRuntime().maxMemory() / 8);
    }

    /** Entries in a .keras zip. */
    public static final int MAX_ZIP_ENTRIES = 10_000;
}
