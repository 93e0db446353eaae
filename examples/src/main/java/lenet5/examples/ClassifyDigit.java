package lenet5.examples;

import lenet5.Lenet5;
import lenet5.layout.Layout;
import lenet5.model.Predictor;
import lenet5.model.Sequential;

import javax.imageio.ImageIO;
import java.awt.image.Raster;

public class ClassifyDigit {
    public static void main(String[] args) throws Exception {
        // A LeNet-5 trained by PyTorch and saved with torch.save(model, "lenet5_tanh.pt"), shipped inside this jar.
        Sequential model = Lenet5.loadResource(ClassifyDigit.class, "/lenet5_tanh.pt");

        // A 28x28 grayscale digit, scaled to [0, 1] as in training.
        Raster png = ImageIO.read(ClassifyDigit.class.getResource("/digit.png")).getRaster();
        float[] image = new float[28 * 28];
        for (int i = 0; i < image.length; i++) {
            image[i] = png.getSample(i % 28, i / 28, 0) / 255f;
        }

        try (Predictor predictor = model.newPredictor(Layout.NCHW)) {
            float[] probabilities = predictor.predict(image);
            int digit = Predictor.argmax(probabilities, 0, probabilities.length);
            System.out.printf("digit: %d (probability %.4f)%n", digit, probabilities[digit]);
        }
    }
}
