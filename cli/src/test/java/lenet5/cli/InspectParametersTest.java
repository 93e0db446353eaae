package lenet5.cli;

import lenet5.testing.TestFiles;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * inspect's parameter counts are the values the file stores, as Keras's count_params() counts them:
 * a BatchNormalization without scale or center stores 3 or 2 values a channel, not 4.
 */
class InspectParametersTest {
    /** count_params() of each model in real Keras 3.11.3 (keras.models.load_model(x.keras).count_params()). */
    private static final Object[][] KERAS = {{"w1", 623}, {"w2", 445}, {"w3", 253}, {"w4", 203}};

    @Test
    void kerasFilesCountWhatKerasCounts() {
        Path dir = TestFiles.testdata().resolve("layers/keras_weights");
        for (Object[] k : KERAS) {
            for (String ext : new String[] {".keras", ".h5"}) {
                Cli r = Cli.run("inspect", dir.resolve(k[0] + ext).toString());
                assertEquals(0, r.exit(), r.err());
                assertTrue(r.out().contains(String.format("parameters: %,d%n", (Integer) k[1])), k[0] + ext + ":\n" + r.out());
            }
        }
    }

    /**
     * BatchNorm2d/1d(affine=False) in PyTorch: 9,506 values in model.parameters() plus 40 in the
     * running statistics (torch 1.13 on layers_t5.pt), the 9,546 the file stores.
     */
    @Test
    void torchBatchNormWithoutAffineCountsItsStatistics() {
        Cli r = Cli.run("inspect", TestFiles.testdata().resolve("layers/torch/layers_t5.pt").toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("\"parameters\" : 9546\n}"), r.out());
    }
}
