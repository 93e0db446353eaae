package lenet5.bench;

import lenet5.layout.Layout;
import lenet5.model.Predictor;
import lenet5.testing.TorchModels;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * This engine on the PyTorch-trained lenet5_tanh: one call of the allocation-free
 * {@code predict(in, 0, batch, out, 0)} per operation, so images/s = ops/s x batch.
 * {@code threads} is the predictor's own thread count (JMH itself runs one benchmark thread).
 * The Vector API module is added to the forks here; run with {@code -jvmArgsAppend -Dlenet5.scalar=true}
 * for the plain-Java kernels.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 3)
@Measurement(iterations = 5, time = 2)
@Fork(value = 3, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx2g"})
public class EngineBenchmark {
    @Param({"1", "32", "256", "1024"})
    int batch;
    @Param({"1"})
    int threads;

    Predictor predictor;
    float[] in;
    float[] out;

    @Setup(Level.Trial)
    public void setup() {
        predictor = TorchModels.load("lenet5_tanh").newPredictor(Layout.NCHW, threads);
        in = Inputs.mnist(batch);
        out = new float[batch * 10];
        System.out.println("kernels: " + predictor.kernels() + ", threads: " + predictor.threads());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        predictor.close();
    }

    @Benchmark
    public float[] predict() {
        predictor.predict(in, 0, batch, out, 0);
        return out;
    }
}
