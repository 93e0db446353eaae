package lenet5.examples;

import lenet5.Lenet5;
import lenet5.image.ImageDecoder;
import lenet5.image.ImagePreprocessor;
import lenet5.layout.Layout;
import lenet5.model.Predictor;
import lenet5.model.Sequential;

import java.nio.file.Path;

public class ClassifyImageFiles {
    public static void main(String[] args) {
        Sequential model = Lenet5.load(Path.of(args[0]));
        // MNIST-style: ink cropped, fit into 20x20, centred by mass in 28x28 (padded for 32x32 models).
        // withNormalization(Normalization.parse("0.1307,0.3081")) for models trained on normalized pixels.
        ImagePreprocessor pre = ImagePreprocessor.forInput(model.inputShape());
        try (Predictor predictor = model.newPredictor(Layout.NCHW)) {
            for (int i = 1; i < args.length; i++) {
                float[] x = pre.apply(ImageDecoder.read(Path.of(args[i])));   // PNG, JPEG, BMP, GIF; any BufferedImage
                float[] probabilities = predictor.predict(x);
                int digit = Predictor.argmax(probabilities, 0, probabilities.length);
                System.out.printf("%s: %d (probability %.4f)%n", args[i], digit, probabilities[digit]);
            }
        }
    }
}
