package lenet5.bench;

import lenet5.compare.Diff;
import lenet5.io.RawFloats;
import lenet5.testing.TorchModels;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Deeplearning4j 1.0.0-M2.1 (nd4j-native, linux-x86_64 CPU backend) on the same weights:
 * {@code MultiLayerNetwork.output(INDArray)} per operation. Single-threaded: run with
 * {@code OMP_NUM_THREADS=1} in the environment (benchmarks/run.sh does; ND4J's native code and
 * its OpenBLAS read it) and the fork flags below for ND4J's own thread pools.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 3)
@Measurement(iterations = 5, time = 2)
@Fork(value = 3, jvmArgsAppend = {"-Xmx2g", "-Dorg.bytedeco.openblas.nthreads=1"})
public class Dl4jBenchmark {
    @Param({"1", "32", "256", "1024"})
    int batch;

    MultiLayerNetwork net;
    INDArray input;

    @Setup(Level.Trial)
    public void setup() {
        Nd4j.getEnvironment().setMaxMasterThreads(1);
        net = Dl4jLenet.build(TorchModels.load("lenet5_tanh"));
        checkAgainstPyTorch(net);
        input = Nd4j.create(Inputs.mnist(batch), new long[]{batch, 1, 28, 28}, 'c');
        System.out.println("DL4J " + Nd4j.getBackend().getClass().getSimpleName() + ", OMP_NUM_THREADS="
                + System.getenv("OMP_NUM_THREADS") + ", max threads " + Nd4j.getEnvironment().maxThreads());
    }

    /** Proves the DL4J network is the same model: PyTorch's outputs for the 16 reference inputs. */
    static void checkAgainstPyTorch(MultiLayerNetwork net) {
        float[] x = TorchModels.inputs("lenet5_tanh");
        float[] expected = RawFloats.read(TorchModels.torch().resolve("lenet5_tanh.outputs.f32"));
        float[] got = net.output(Nd4j.create(x, new long[]{16, 1, 28, 28}, 'c')).reshape(16 * 10).toFloatVector();
        Diff d = Diff.of(expected, got, 16);
        System.out.println("DL4J vs PyTorch outputs: " + d);
        if (!d.within(1e-5)) {
            throw new IllegalStateException("the DL4J network does not reproduce PyTorch's outputs: " + d);
        }
    }

    @Benchmark
    public INDArray output() {
        return net.output(input);
    }
}
