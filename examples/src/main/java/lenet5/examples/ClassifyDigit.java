package lenet5.examples;

import lenet5.Lenet5;
import lenet5.image.ImageDecoder;
import lenet5.image.ImagePreprocessor;
import lenet5.image.Preprocess;
import lenet5.layout.Layout;
import lenet5.model.Predictor;
import lenet5.model.Sequential;

import java.io.InputStream;

public class ClassifyDigit {
    public static void main(String[] args) throws Exception {
        // A LeNet-5 trained by PyTorch and saved with torch.save(model, "lenet5_tanh.pt"), shipped inside this jar.
        Sequential model = Lenet5.loadResource(ClassifyDigit.class, "/lenet5_tanh.pt");

        // A PNG of an MNIST digit, already 28x28 (for any other picture of a digit, keep the default Preprocess.MNIST).
        byte[] png;
        try (InputStream in = ClassifyDigit.class.getResourceAsStream("/digit.png")) {
            png = in.readAllBytes();
        }
        float[] image = ImagePreprocessor.forInput(model.inputShape()).withMode(Preprocess.NONE).apply(ImageDecoder.read(png));

        try (Predictor predictor = model.newPredictor(Layout.NCHW)) {
            float[] probabilities = predictor.predict(image);
            int digit = Predictor.argmax(probabilities, 0, probabilities.length);
            System.out.printf("digit: %d (probability %.4f)%n", digit, probabilities[digit]);
        }
    }
}
