package lenet5.keras;

import lenet5.layers.Activation;
import lenet5.layers.BatchNorm;
import lenet5.layers.Conv2d;
import lenet5.layers.Dense;
import lenet5.layers.Dropout;
import lenet5.layers.Flatten;
import lenet5.layers.Layer;
import lenet5.layers.Padding;
import lenet5.layers.Pool2d;
import lenet5.model.ModelInfo;
import lenet5.model.Sequential;
import lenet5.tensor.Shape;
import lenet5.tensor.Tensor;

import java.util.List;
import java.util.Random;

/** Canonical models built in tests, with seeded random weights. */
final class Built {
    private Built() {
    }

    /**
     * A LeNet-like model that takes every translation path of the writer: 'same' padding that is
     * asymmetric (stride 2 on an even size), padding that is not Keras's 'same' (becomes
     * ZeroPadding2D), 'same' max pooling, average pooling that counts padded zeros (ZeroPadding2D
     * then 'valid'), BatchNorm, activations fused and not fused, Dropout, Flatten of a 3x3 map.
     */
    static Sequential everyWriterPath() {
        Random r = new Random(7);
        List<Layer> layers = List.of(
                conv(r, "c1", 1, 4, 3, 2, Padding.same(28, 28, 3, 3, 2, 2)),          // 28 -> 14, pads (0,1,0,1)
                new Activation("c1_relu", Activation.Function.RELU),
                new Pool2d("p1", Pool2d.Kind.MAX, 3, 3, 2, 2, Padding.same(14, 14, 3, 3, 2, 2), false, false), // 14 -> 7
                conv(r, "c2", 4, 6, 3, 1, Padding.symmetric(2, 1)),                     // 7 -> 9x7: not 'same'
                new BatchNorm("bn", 6, 1e-3, rand(r, 6, 0.5f, 1.5f), rand(r, 6, -0.5f, 0.5f), rand(r, 6, -0.2f, 0.2f), rand(r, 6, 0.5f, 2f)),
                new Activation("tanh", Activation.Function.TANH),
                new Pool2d("p2", Pool2d.Kind.AVG, 2, 2, 2, 2, new Padding(1, 0, 1, 0), true, false), // 9x7 -> 5x4, counts pads
                conv(r, "c3", 6, 8, 2, 1, Padding.NONE),                                 // 5x4 -> 4x3
                new Activation("c3_sigmoid", Activation.Function.SIGMOID),
                new Pool2d("p3", Pool2d.Kind.AVG, 2, 2, 1, 1, Padding.NONE, true, false), // 4x3 -> 3x2
                new Flatten("flat"),
                new Dropout("drop", 0.5),
                dense(r, "d1", 8 * 3 * 2, 12),
                new Activation("d1_relu", Activation.Function.RELU),
                dense(r, "d2", 12, 10),
                new Activation("softmax", Activation.Function.SOFTMAX));
        return new Sequential(Shape.chw(1, 28, 28), layers, ModelInfo.UNKNOWN);
    }

    static Conv2d conv(Random r, String name, int in, int out, int k, int stride, Padding p) {
        return new Conv2d(name, in, out, k, k, stride, stride, p, rand(r, out * in * k * k, -0.5f, 0.5f).reshape(out, in, k, k),
                rand(r, out, -0.1f, 0.1f));
    }

    static Dense dense(Random r, String name, int in, int out) {
        return new Dense(name, in, out, rand(r, out * in, -0.3f, 0.3f).reshape(out, in), rand(r, out, -0.1f, 0.1f));
    }

    static Tensor rand(Random r, int n, float lo, float hi) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = lo + (hi - lo) * r.nextFloat();
        }
        return Tensor.of(v, n);
    }
}
