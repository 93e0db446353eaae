package lenet5.serve;

import lenet5.image.Normalization;
import lenet5.image.Preprocess;
import lenet5.io.Idx;
import lenet5.testing.DigitImages;
import lenet5.testing.TorchModels;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The committed MNIST test digits as image files in six styles, each posted to the server: accuracy within 0.5 points of IDX. */
class ServerAccuracyTest {
    /** PyTorch's accuracy of lenet5_tanh on the 2,000 IDX digits (testdata/torch/lenet5_tanh.accuracy.txt). */
    static final double IDX_ACCURACY = 0.9720;

    @Test
    void everyStyleThroughTheServerKeepsTheIdxAccuracy() {
        Idx.Images digits = DigitImages.digits();
        int[] labels = DigitImages.labels();
        try (ModelServer server = ModelServer.start(List.of(new ServedModel("lenet5", TorchModels.load("lenet5_tanh"),
                Preprocess.MNIST, Normalization.NONE)), ServeOptions.DEFAULTS.withPort(0))) {
            Http http = Http.to(server);
            for (DigitImages style : DigitImages.values()) {
                int correct = 0;
                for (int i = 0; i < digits.count(); i++) {
                    Http.Reply r = http.post("v1/models/lenet5/predict", style.file(digits, i), "image/" + style.extension);
                    assertEquals(200, r.status(), r.body());
                    if (r.json().get("class").asInt() == labels[i]) {
                        correct++;
                    }
                }
                double accuracy = (double) correct / digits.count();
                System.out.printf(Locale.ROOT, "server %s: accuracy %.4f (%d/%d), IDX %.4f%n", style, accuracy, correct, digits.count(), IDX_ACCURACY);
                assertTrue(accuracy >= IDX_ACCURACY - 0.005, style + ": " + accuracy);
            }
        }
    }
}
