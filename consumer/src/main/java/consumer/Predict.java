package consumer;

import lenet5.Lenet5;
import lenet5.io.Idx;
import lenet5.layout.Layout;
import lenet5.model.Predictor;
import lenet5.model.Sequential;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Classifies MNIST digits with a model file and checks the accuracy against the line the framework
 * printed for the same file: {@code Predict model.pt images.idx3.gz labels.idx1.gz expected-accuracy.txt}.
 */
public class Predict {
    public static void main(String[] args) throws Exception {
        Sequential model = Lenet5.load(Path.of(args[0]));
        float[] images = Idx.readImages(Path.of(args[1])).toFloats(true);
        int[] labels = Idx.readLabels(Path.of(args[2]));
        int right = 0;
        try (Predictor p = model.newPredictor(Layout.NCHW)) {
            float[] out = p.batchPredict(images);
            for (int i = 0; i < labels.length; i++) {
                right += Predictor.argmax(out, i * p.outputSize(), p.outputSize()) == labels[i] ? 1 : 0;
            }
        }
        String accuracy = String.format("accuracy: %.4f (%d/%d)", (double) right / labels.length, right, labels.length);
        Module m = Predict.class.getModule();
        System.out.println((m.isNamed() ? "module path (" + m.getName() + ")" : "class path") + ": " + accuracy);
        String expected = Files.readString(Path.of(args[3])).strip();
        if (!accuracy.equals(expected)) {
            System.err.println("expected " + expected);
            System.exit(1);
        }
    }
}
