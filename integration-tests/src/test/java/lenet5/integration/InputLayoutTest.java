package lenet5.integration;

import lenet5.Lenet5;
import lenet5.LoadOptions;
import lenet5.compare.Diff;
import lenet5.io.RawFloats;
import lenet5.layout.Layout;
import lenet5.layout.WeightLayouts;
import lenet5.model.Predictor;
import lenet5.model.Sequential;
import lenet5.tensor.Shape;
import lenet5.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * A caller's array means the same whichever file the model came from. lenet5_rgb (testdata/generate_rgb.py:
 * 3x32x28 input, per-channel brightness, so a misread layout changes 12 of 16 argmaxes) is read from
 * its .pt, converted to .h5 and .keras and read back; the same NCHW array gives PyTorch's outputs from
 * every one of them. Tolerance 1e-6 absolute on probabilities, as for the other PyTorch testdata.
 */
class InputLayoutTest {
    static final double TOLERANCE = 1e-6;
    static final int N = 16;

    @TempDir
    Path tmp;

    @Test
    void sameCallerArrayGivesSamePredictionAfterPtToH5() {
        Path dir = TestFiles.testdata().resolve("torch");
        float[] nchw = RawFloats.read(dir.resolve("inputs_16x3x32x28.f32"));
        float[] torch = RawFloats.read(dir.resolve("lenet5_rgb.outputs.f32"));
        // A .pt does not record the input size; the .h5 and .keras written from it do.
        Sequential pt = Lenet5.load(dir.resolve("lenet5_rgb.pt"), LoadOptions.DEFAULTS.withInputShape(Shape.chw(3, 32, 28)));
        float[] fromPt = predict(pt, Layout.NCHW, nchw);
        check(torch, fromPt, "lenet5_rgb.pt, NCHW array");

        for (String ext : new String[] {"h5", "keras"}) {
            Path converted = tmp.resolve("lenet5_rgb." + ext);
            Lenet5.save(pt, converted);
            Sequential keras = Lenet5.load(converted);
            // The trap this API avoids: Keras's own layout differs from the caller's array.
            assertEquals(Layout.NHWC, keras.nativeLayout());
            float[] fromKeras = predict(keras, Layout.NCHW, nchw);
            check(torch, fromKeras, "lenet5_rgb.pt -> ." + ext + ", same NCHW array");
            assertArrayEquals(fromPt, fromKeras, "." + ext + " vs .pt on the same array");
            // The same images laid out NHWC, declared as such, give the same answer too.
            float[] nhwc = WeightLayouts.nchwToNhwc(nchw, N, pt.inputShape());
            assertArrayEquals(fromPt, predict(keras, Layout.NHWC, nhwc), "." + ext + ", NHWC array");
        }
        // The test can fail: the NCHW array read as NHWC gives other answers.
        Diff misread = Diff.of(torch, predict(pt, Layout.NHWC, nchw), N);
        System.out.println("lenet5_rgb, NCHW array misread as NHWC: " + misread);
        assertNotEquals(N, misread.argmaxAgreement());
    }

    private static float[] predict(Sequential m, Layout layout, float[] images) {
        try (Predictor p = m.newPredictor(layout)) {
            return p.batchPredict(images);
        }
    }

    private static void check(float[] torch, float[] ours, String what) {
        Diff d = TestFiles.assertClose(torch, ours, N, TOLERANCE, what + " vs PyTorch");
        assertEquals(N, d.argmaxAgreement(), what);
    }
}
