package lenet5.bench;

import lenet5.layout.Layout;
import lenet5.model.Predictor;
import lenet5.testing.TorchModels;

/**
 * This engine against ONNX Runtime in one JVM, in {@link Alternation alternating windows} on the
 * same digits: the ratio at one moment of the machine, which JMH runs minutes apart cannot give on
 * a shared virtual machine. The engine's kernels are the JVM's (add {@code --add-modules
 * jdk.incubator.vector} for the Vector API). From the repository root:
 * {@code java [--add-modules jdk.incubator.vector] -cp benchmarks/target/benchmarks.jar lenet5.bench.AlternatingRatio [BATCH [WINDOWS]]}.
 */
public final class AlternatingRatio {
    private AlternatingRatio() {
    }

    public static void main(String[] args) throws Throwable {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 32;
        int windows = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        float[] in = Inputs.mnist(batch);
        float[] out = new float[batch * 10];
        try (Predictor lenet5 = TorchModels.load("lenet5_tanh").newPredictor(Layout.NCHW, 1);
             OrtLenet ort = new OrtLenet(in, batch, 1)) {
            Alternation.Result r = Alternation.run(batch, windows, ort::run, () -> lenet5.predict(in, 0, batch, out, 0));
            System.out.println("batch " + batch + ", kernels " + lenet5.kernels() + ", " + r.describe("ONNX Runtime", "lenet5"));
        }
    }
}
