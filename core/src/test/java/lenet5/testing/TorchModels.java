package lenet5.testing;

import lenet5.io.RawFloats;
import lenet5.layers.Activation;
import lenet5.layers.Activation.Function;
import lenet5.layers.BatchNorm;
import lenet5.layers.Conv2d;
import lenet5.layers.Dense;
import lenet5.layers.Dropout;
import lenet5.layers.Flatten;
import lenet5.layers.Layer;
import lenet5.layers.Padding;
import lenet5.layers.Pool2d;
import lenet5.layers.Pool2d.Kind;
import lenet5.layers.ZeroPad2d;
import lenet5.model.ModelInfo;
import lenet5.model.Sequential;
import lenet5.tensor.Shape;
import lenet5.tensor.Tensor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The four testdata/torch models, built by hand as the manifests' {@code architecture} text says,
 * with the weights PyTorch saved: raw float32 copies of the {@code *_state_dict.pt} files made by
 * {@code core/src/test/resources/torch-weights/export.py} (core cannot read .pt files itself).
 * Shared through core's test-jar (the benchmarks build the same models).
 */
public final class TorchModels {
    public static final List<String> ALL = List.of("lenet5_tanh", "lenet5_relu", "lenet5_flat400", "lenet5_odd");

    private TorchModels() {
    }

    public static Sequential load(String name) {
        Sequential arch = switch (name) {
            case "lenet5_tanh" -> lenet5(Function.TANH, Kind.AVG);
            case "lenet5_relu" -> lenet5(Function.RELU, Kind.MAX);
            case "lenet5_flat400" -> flat400();
            case "lenet5_odd" -> odd();
            case "misc" -> misc();
            default -> throw new IllegalArgumentException(name);
        };
        return arch.withWeights(weights(name));
    }

    /** Per-sample input shape (from the manifests' input_chw). */
    public static Shape inputShape(String name) {
        return name.equals("lenet5_odd") ? Shape.chw(3, 32, 30) : Shape.chw(1, 28, 28);
    }

    public static float[] inputs(String name) {
        return RawFloats.read(torch().resolve(name.equals("lenet5_odd") ? "inputs_16x3x32x30.f32" : "inputs_16x1x28x28.f32"));
    }

    public static Path torch() {
        return TestFiles.testdata().resolve("torch");
    }

    public static Sequential lenet5(Function f, Kind pool) {
        return new Sequential(Shape.chw(1, 28, 28), List.of(
                Conv2d.of("0", 1, 6, 5, 5, 1, 1, Padding.symmetric(2, 2), true), act("1", f), Pool2d.of("2", pool, 2, 2),
                Conv2d.of("3", 6, 16, 5, 5, 1, 1, Padding.NONE, true), act("4", f), Pool2d.of("5", pool, 2, 2),
                Conv2d.of("6", 16, 120, 5, 5, 1, 1, Padding.NONE, true), act("7", f), new Flatten("8"),
                Dense.of("9", 120, 84, true), act("10", f), Dense.of("11", 84, 10, true), act("12", Function.SOFTMAX)),
                ModelInfo.UNKNOWN);
    }

    private static Sequential flat400() {
        return new Sequential(Shape.chw(1, 28, 28), List.of(
                Conv2d.of("0", 1, 6, 5, 5, 1, 1, Padding.symmetric(2, 2), true), act("1", Function.RELU),
                Pool2d.of("2", Kind.MAX, 2, 2),
                Conv2d.of("3", 6, 16, 5, 5, 1, 1, Padding.NONE, true), act("4", Function.RELU), Pool2d.of("5", Kind.MAX, 2, 2),
                new Flatten("6"), Dense.of("7", 400, 120, true), act("8", Function.RELU),
                Dense.of("9", 120, 84, true), act("10", Function.RELU), Dense.of("11", 84, 10, true),
                act("12", Function.SOFTMAX)),
                ModelInfo.UNKNOWN);
    }

    /** Stride (2,1), kernel (3,5), padding (1,2), sigmoid, padded max and average pools, no bias, dropout. */
    private static Sequential odd() {
        return new Sequential(Shape.chw(3, 32, 30), List.of(
                Conv2d.of("0", 3, 8, 3, 5, 2, 1, Padding.symmetric(1, 2), true), act("1", Function.SIGMOID),
                new Pool2d("2", Kind.MAX, 3, 3, 2, 2, Padding.symmetric(1, 1), true, false),
                Conv2d.of("3", 8, 12, 3, 3, 1, 1, Padding.NONE, false), act("4", Function.RELU),
                new Pool2d("5", Kind.AVG, 2, 2, 2, 2, Padding.symmetric(1, 1), true, false),
                new Flatten("6"), new Dropout("7", 0.5), Dense.of("8", 336, 10, true)),
                ModelInfo.UNKNOWN);
    }

    /**
     * The layers LeNet-5 does not use (export.py's {@code export_misc}): asymmetric ZeroPad2d, batch
     * norm, max pool with padding and ceil_mode, average pools with and without count_include_pad,
     * softmax over the channels of a feature map, a bias-free dense layer. Input 2x9x11.
     */
    private static Sequential misc() {
        return new Sequential(Shape.chw(2, 9, 11), List.of(
                new ZeroPad2d("0", new Padding(0, 1, 1, 2)),
                Conv2d.of("1", 2, 4, 2, 3, 1, 2, Padding.symmetric(1, 0), true),
                new BatchNorm("2", 4, 1e-5, Tensor.zeros(4), Tensor.zeros(4), Tensor.zeros(4), Tensor.zeros(4)),
                act("3", Function.RELU),
                new Pool2d("4", Kind.MAX, 3, 3, 2, 2, Padding.symmetric(1, 1), true, true),
                new Pool2d("5", Kind.AVG, 2, 2, 1, 1, Padding.symmetric(1, 1), false, true),
                act("6", Function.SOFTMAX),
                Conv2d.of("7", 4, 3, 3, 3, 1, 1, Padding.NONE, true),
                act("8", Function.SIGMOID),
                new Pool2d("9", Kind.AVG, 3, 3, 2, 2, Padding.symmetric(1, 1), true, true),
                new Flatten("10"), new Dropout("11", 0.3),
                Dense.of("12", 18, 7, true), act("13", Function.TANH), Dense.of("14", 7, 5, false),
                act("15", Function.SOFTMAX)),
                ModelInfo.UNKNOWN);
    }

    /** A raw float32 file among the exported test resources. */
    public static float[] resourceFloats(String file) {
        try (InputStream in = resource(file)) {
            ByteBuffer b = ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
            float[] f = new float[b.remaining() / 4];
            b.asFloatBuffer().get(f);
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Layer act(String name, Function f) {
        return new Activation(name, f);
    }

    private static List<Tensor> weights(String name) {
        Properties shapes = new Properties();
        byte[] raw;
        try (InputStream p = resource(name + ".properties"); InputStream f = resource(name + ".f32")) {
            shapes.load(p);
            raw = f.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ByteBuffer buf = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        List<Tensor> list = new ArrayList<>();
        // Properties forgets the order, so read the keys back in file order.
        for (String key : keysInOrder(name)) {
            String[] dims = shapes.getProperty(key).split(",");
            int[] shape = new int[dims.length];
            int size = 1;
            for (int i = 0; i < dims.length; i++) {
                shape[i] = Integer.parseInt(dims[i]);
                size *= shape[i];
            }
            float[] data = new float[size];
            buf.asFloatBuffer().get(data);
            buf.position(buf.position() + 4 * size);
            list.add(Tensor.of(data, shape));
        }
        if (buf.hasRemaining()) {
            throw new IllegalStateException(name + ".f32 has " + buf.remaining() + " bytes more than its properties list");
        }
        return list;
    }

    private static List<String> keysInOrder(String name) {
        try (InputStream p = resource(name + ".properties")) {
            List<String> keys = new ArrayList<>();
            for (String line : new String(p.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    keys.add(line.substring(0, line.indexOf('=')));
                }
            }
            return keys;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream resource(String file) {
        InputStream in = TorchModels.class.getResourceAsStream("/torch-weights/" + file);
        if (in == null) {
            throw new IllegalStateException("missing test resource torch-weights/" + file);
        }
        return in;
    }
}
