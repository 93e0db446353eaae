package lenet5.cli;

import lenet5.io.RawFloats;
import lenet5.layout.WeightLayouts;
import lenet5.tensor.Shape;
import lenet5.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** convert says when the written file takes its images in another memory order than the source. */
class ConvertLayoutTest {
    @TempDir
    Path tmp;

    /** A channels_first Keras model written as a (channels_last) .h5: NHWC images give Keras's own outputs. */
    @Test
    void channelsFirstKerasBecomesChannelsLast() {
        Path dir = TestFiles.testdata().resolve("layers/keras_weights");
        Path h5 = tmp.resolve("w2.h5");
        Cli c = Cli.run("convert", dir.resolve("w2.keras").toString(), h5.toString());
        assertEquals(0, c.exit(), c.err());
        assertTrue(c.out().contains("input layout: the source takes NCHW, the written file NHWC"), c.out());
        float[] nchw = RawFloats.read(dir.resolve("w2.inputs.f32"));
        Path nhwc = tmp.resolve("in.nhwc.f32"), out = tmp.resolve("out.f32");
        RawFloats.write(nhwc, WeightLayouts.nchwToNhwc(nchw, 8, Shape.chw(3, 10, 10)));
        Cli p = Cli.run("predict", h5.toString(), "--input", nhwc.toString(), "--output", out.toString());
        assertEquals(0, p.exit(), p.err());
        // Keras 3.11.3's outputs for the channels_first original (testdata/layers/generate_keras_weights.py)
        TestFiles.assertClose(RawFloats.read(dir.resolve("w2.outputs.f32")), RawFloats.read(out), 8, 1e-6, "w2 written channels_last vs Keras");
        Cli same = Cli.run("convert", dir.resolve("w2.keras").toString(), tmp.resolve("w2.keras").toString());
        assertTrue(same.out().contains("input layout:"), same.out());
        Cli none = Cli.run("convert", TestFiles.testdata().resolve("torch/lenet5_tanh.pt").toString(), tmp.resolve("t.pt").toString());
        assertTrue(!none.out().contains("input layout:"), none.out());
    }
}
