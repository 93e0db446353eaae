package lenet5.model;

import lenet5.layout.Layout;

import java.util.List;

/**
 * Where a model came from.
 *
 * @param format           what the reader found, e.g. {@code "pytorch zip, full model"}, {@code "keras legacy h5"}
 * @param frameworkVersion the framework version recorded in the file, or {@code "unknown"}
 * @param nativeLayout     the input layout the source framework feeds this model (NCHW for PyTorch, NHWC for Keras)
 * @param storedWeights    the weights as the file stores them, in model order (empty for models built in memory)
 */
public record ModelInfo(String format, String frameworkVersion, Layout nativeLayout, List<StoredWeight> storedWeights) {
    public static final ModelInfo UNKNOWN = new ModelInfo("in memory", "unknown", Layout.NCHW, List.of());

    public ModelInfo {
        storedWeights = List.copyOf(storedWeights);
    }

    public ModelInfo(String format, String frameworkVersion, Layout nativeLayout) {
        this(format, frameworkVersion, nativeLayout, List.of());
    }
}
