package lenet5;

import lenet5.model.Sequential;
import lenet5.tensor.Shape;

/**
 * How to read a model file.
 *
 * @param architecture for weights-only files (a state_dict, a Keras {@code save_weights} file):
 *                     the model whose architecture the weights are bound to, in order; its own
 *                     weights are ignored. {@code null} to let the reader infer or refuse.
 * @param inputShape   the input shape (C,H,W) when the file does not record it; {@code null} for the default
 * @param format       force a reader by name ({@code "pytorch"}, {@code "keras"}); {@code null} to detect from content
 */
public record LoadOptions(lenet5.model.Sequential architecture, Shape inputShape, String format) {
    public static final LoadOptions DEFAULTS = new LoadOptions(null, null, null);

    public LoadOptions withArchitecture(Sequential a) {
        return new LoadOptions(a, inputShape, format);
    }

    public LoadOptions withInputShape(Shape s) {
        return new LoadOptions(architecture, s, format);
    }

    public LoadOptions withFormat(String f) {
        return new LoadOptions(architecture, inputShape, f);
    }
}
