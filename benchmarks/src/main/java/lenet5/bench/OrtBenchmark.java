package lenet5.bench;

import lenet5.compare.Diff;
import lenet5.io.RawFloats;
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
 * ONNX Runtime on the same model and digits (see {@link OrtLenet} for its settings): one
 * {@code session.run} of the whole batch per operation, {@code threads} intra-op threads.
 * Setup first proves the session computes PyTorch's outputs, so both engines do the same work.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 3)
@Measurement(iterations = 5, time = 2)
@Fork(value = 3, jvmArgsAppend = {"-Xmx2g"})
public class OrtBenchmark {
    @Param({"1", "32", "256", "1024"})
    int batch;
    @Param({"1"})
    int threads;

    OrtLenet ort;

    @Setup(Level.Trial)
    public void setup() {
        checkAgainstPyTorch(threads);
        ort = new OrtLenet(Inputs.mnist(batch), batch, threads);
        System.out.println("ONNX Runtime " + ai.onnxruntime.OrtEnvironment.getEnvironment().getVersion()
                + ", intra-op threads " + threads);
    }

    /** PyTorch's outputs for the 16 reference inputs. */
    static void checkAgainstPyTorch(int threads) {
        float[] expected = RawFloats.read(TorchModels.torch().resolve("lenet5_tanh.outputs.f32"));
        try (OrtLenet check = new OrtLenet(TorchModels.inputs("lenet5_tanh"), 16, threads)) {
            check.run();
            Diff d = Diff.of(expected, check.probabilities(), 16);
            System.out.println("ONNX Runtime vs PyTorch outputs: " + d);
            if (!d.within(1e-5)) {
                throw new IllegalStateException("ONNX Runtime does not reproduce PyTorch's outputs: " + d);
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        ort.close();
    }

    @Benchmark
    public void run() {
        ort.run();
    }
}
