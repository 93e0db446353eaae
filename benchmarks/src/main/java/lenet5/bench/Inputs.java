package lenet5.bench;

import lenet5.io.Idx;
import lenet5.testing.TestFiles;

/** Real MNIST digits (testdata/mnist, 2000 images, scaled to [0,1]) repeated to fill a batch. */
final class Inputs {
    private Inputs() {
    }

    static float[] mnist(int n) {
        float[] all = Idx.readImages(TestFiles.testdata().resolve("mnist/test-images-idx3-ubyte.gz")).toFloats(true);
        float[] x = new float[n * 784];
        for (int i = 0; i < x.length; i += all.length) {
            System.arraycopy(all, 0, x, i, Math.min(all.length, x.length - i));
        }
        return x;
    }
}
