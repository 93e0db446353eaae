package lenet5;

/**
 * How to write a model file.
 *
 * @param format  the target format by extension without the dot ({@code "pt"}, {@code "h5"}, {@code "keras"});
 *                {@code null} to take it from the file name
 * @param variant a format-specific flavour, e.g. {@code "full"} for a PyTorch full-model pickle; {@code null} for the default
 */
public record SaveOptions(String format, String variant) {
    public static final SaveOptions DEFAULTS = new SaveOptions(null, null);
}
