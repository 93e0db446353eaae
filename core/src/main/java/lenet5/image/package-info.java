/**
 * Images in, model input out: {@link lenet5.image.ImageDecoder} reads PNG, JPEG, BMP, GIF (and whatever
 * ImageIO plugins are on the class path) after checking the header's size, and
 * {@link lenet5.image.ImagePreprocessor} turns any {@link java.awt.image.BufferedImage} into the floats a
 * model takes, MNIST-style by default:
 *
 * <pre>{@code
 * ImagePreprocessor pre = ImagePreprocessor.forInput(model.inputShape());   // MNIST-style, [0,1]
 * float[] x = pre.apply(ImageDecoder.read(Path.of("digit.png")));
 * float[] probabilities = predictor.predict(x);
 * }</pre>
 */
package lenet5.image;
