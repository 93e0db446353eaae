package lenet5.bench;

import lenet5.io.Idx;
import lenet5.io.RawFloats;
import lenet5.model.Predictor;
import lenet5.testing.TestFiles;
import lenet5.testing.TorchModels;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The benchmark's ONNX Runtime peer does the same work as PyTorch and this engine: on the 2000
 * committed MNIST test digits its probabilities are PyTorch's (float32, different kernels) and its
 * predicted digits are PyTorch's, with one and with two intra-op threads.
 */
class OrtLenetTest {
    /** Two float32 engines, each about 1e-6 from the float64 result on these digits. */
    static final double TOL = 2e-6;

    @Test
    void mnistTestSplitMatchesPyTorch() throws IOException {
        float[] images = Idx.readImages(TestFiles.testdata().resolve("mnist/test-images-idx3-ubyte.gz")).toFloats(true);
        int n = images.length / 784;
        float[] probs = RawFloats.read(TorchModels.torch().resolve("lenet5_tanh.test_probs.f32"));
        byte[] predictions = Files.readAllBytes(TorchModels.torch().resolve("lenet5_tanh.test_predictions.u8"));
        for (int threads : new int[]{1, 2}) {
            try (OrtLenet ort = new OrtLenet(images, n, threads)) {
                ort.run();
                float[] out = ort.probabilities();
                TestFiles.assertClose(probs, out, n, TOL, "ONNX Runtime (" + threads + " threads) vs PyTorch, MNIST test split");
                for (int i = 0; i < n; i++) {
                    assertEquals(predictions[i], (byte) Predictor.argmax(out, i * 10, 10), "image " + i);
                }
            }
        }
    }

    @Test
    void referenceInputsMatchPyTorch() {
        OrtBenchmark.checkAgainstPyTorch(1);
    }
}
