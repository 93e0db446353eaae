package lenet5.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import lenet5.testing.TorchModels;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;

/**
 * ONNX Runtime (CPU execution provider) on {@code testdata/torch/lenet5_tanh.onnx}, the same PyTorch
 * model exported by {@code testdata/generate.py --derived} with {@code torch.onnx.export} (opset 13,
 * softmax included, dynamic batch). Settings, stated in the report: graph optimization ALL_OPT,
 * sequential execution, {@code threads} intra-op threads and one inter-op thread, default arena
 * allocator and memory patterns. Input and output tensors are direct buffers made once (the output
 * pinned), so a call is {@code session.run} and nothing else: ORT's best case from Java.
 */
final class OrtLenet implements AutoCloseable {
    static final String MODEL = "lenet5_tanh.onnx";

    private final OrtSession session;
    private final OnnxTensor input;
    private final OnnxTensor output;
    private final FloatBuffer outBuffer;
    private final Map<String, OnnxTensor> inputs;
    private final Map<String, OnnxTensor> outputs;

    OrtLenet(float[] images, int batch, int threads) {
        try {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            try (SessionOptions o = options(threads)) {
                session = env.createSession(TorchModels.torch().resolve(MODEL).toString(), o);
            }
            input = OnnxTensor.createTensor(env, direct(batch * 784).put(images, 0, batch * 784).rewind(), new long[]{batch, 1, 28, 28});
            outBuffer = direct(batch * 10);
            output = OnnxTensor.createTensor(env, outBuffer, new long[]{batch, 10});
            inputs = Map.of("input", input);
            outputs = Map.of("probs", output);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime could not load " + MODEL, e);
        }
    }

    static SessionOptions options(int threads) throws OrtException {
        SessionOptions o = new SessionOptions();
        o.setOptimizationLevel(SessionOptions.OptLevel.ALL_OPT);
        o.setExecutionMode(SessionOptions.ExecutionMode.SEQUENTIAL);
        o.setIntraOpNumThreads(threads);
        o.setInterOpNumThreads(1);
        return o;
    }

    private static FloatBuffer direct(int floats) {
        return ByteBuffer.allocateDirect(floats * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /** Runs the batch; the probabilities land in the pinned output buffer. */
    void run() {
        try {
            session.run(inputs, outputs).close();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The last run's probabilities, (batch, 10) row-major. */
    float[] probabilities() {
        float[] out = new float[outBuffer.capacity()];
        outBuffer.get(0, out);
        return out;
    }

    @Override
    public void close() {
        try {
            input.close();
            output.close();
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }
}
