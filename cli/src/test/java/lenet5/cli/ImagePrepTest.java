package lenet5.cli;

import lenet5.io.RawFloats;
import lenet5.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code predict --images} preprocessing against what torchvision computed: ../shared/wild holds the
 * first 64 MNIST test digits as ToTensor() gave them, after Normalize((0.1307,), (0.3081,)), and
 * after Resize(32) + Normalize (bilinear, made with real torch).
 */
class ImagePrepTest {
    @TempDir
    Path tmp;

    static float[] digits() {
        return RawFloats.read(TestFiles.shared("wild").resolve("in_mnist28_01.nchw.f32"));
    }

    @Test
    void normalizeIsTorchvisions() {
        float[] got = ImagePrep.of(28, 28, null, null, "0.1307,0.3081").apply(digits(), 64);
        float[] want = RawFloats.read(TestFiles.shared("wild").resolve("in_mnist28_norm.nchw.f32"));
        TestFiles.assertClose(want, got, 64, 1e-6, "--normalize 0.1307,0.3081 vs torchvision Normalize");
    }

    @Test
    void resizeIsTorchvisionsBilinear() {
        float[] got = ImagePrep.of(28, 28, 32, null, "0.1307,0.3081").apply(digits(), 64);
        float[] want = RawFloats.read(TestFiles.shared("wild").resolve("in_mnist32_resize_norm.nchw.f32"));
        TestFiles.assertClose(want, got, 64, 1e-5, "--resize 32 --normalize 0.1307,0.3081 vs torchvision Resize(32) + Normalize");
    }

    @Test
    void padPutsBackgroundAround() {
        float[] img = {1, 2, 3, 4};
        float[] got = ImagePrep.of(2, 2, null, 1, null).apply(img, 1);
        assertEquals(16, got.length);
        assertEquals(1f, got[5]);
        assertEquals(4f, got[10]);
        assertEquals(0f, got[0] + got[3] + got[12] + got[15]);
        // normalization applies to the padding too: torchvision pads the image, then normalizes the tensor
        assertEquals(-0.5f, ImagePrep.of(2, 2, null, 1, "0.5,1").apply(img, 1)[0]);
    }

    /** The IDX route end to end: an IDX file of the same digits, --normalize, and the model's numbers are PyTorch's. */
    @Test
    void predictWithNormalizeGivesTheReference() throws IOException {
        Path wild = TestFiles.shared("wild");
        Path idx = tmp.resolve("digits.idx3");
        float[] d = digits();
        try (DataOutputStream o = new DataOutputStream(Files.newOutputStream(idx))) {
            o.writeInt(0x803);
            o.writeInt(64);
            o.writeInt(28);
            o.writeInt(28);
            for (float v : d) {
                o.writeByte(Math.round(v * 255));
            }
        }
        Path out = tmp.resolve("out.f32");
        Cli r = Cli.run("predict", wild.resolve("FYH620_lenet-mnist-openvino_lenet.pth").toString(), "--arch",
                "Sequential(Conv2d(1,6,5), MaxPool2d(2,2), ReLU(), Conv2d(6,16,5), MaxPool2d(2,2), ReLU(), Flatten(), Linear(256,120), "
                        + "ReLU(), Linear(120,84), ReLU(), Linear(84,10), Softmax(dim=-1))",
                "--images", idx.toString(), "--normalize", "0.1307,0.3081", "--output", out.toString());
        assertEquals(0, r.exit(), r.err());
        var diff = TestFiles.assertClose(RawFloats.read(wild.resolve("FYH620.out.f32")), RawFloats.read(out), 64, 1e-5,
                "FYH620 via --images --normalize vs PyTorch");
        assertEquals(64, diff.argmaxAgreement());
        Cli bad = Cli.run("predict", wild.resolve("Sam783_LeNet-MNIST_lenet.h5").toString(), "--images", idx.toString(), "--pad", "2");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("after --resize/--pad"), bad.err());
    }
}
