package lenet5.testing;

import lenet5.io.RawFloats;
import lenet5.layout.Layout;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * A model file together with numbers a real framework computed for it: inputs, outputs and (for
 * files without an architecture) the architecture text. Built from testdata's PyTorch manifests
 * ({@code X.properties} next to {@code X.pt}) and from the Keras fixtures' README table.
 *
 * @param model        the model file
 * @param inputs       raw float32 inputs
 * @param layout       layout of {@code inputs} (NCHW for PyTorch, NHWC for Keras)
 * @param inputShape   per-sample (C,H,W) as "CxHxW"
 * @param samples      number of inputs
 * @param outputs      the framework's outputs, {@code samples} rows
 * @param architecture PyTorch constructor text for files without an architecture, or {@code null}
 * @param error        for files that must be refused: a substring of the expected message; otherwise {@code null}
 * @param framework    who computed the outputs, e.g. "PyTorch 1.13.0a0" or "Keras 3.11.3"
 */
public record Reference(Path model, Path inputs, Layout layout, String inputShape, int samples, Path outputs,
                        String architecture, String error, String framework) {

    public float[] inputValues() {
        return RawFloats.read(inputs);
    }

    public float[] outputValues() {
        return RawFloats.read(outputs);
    }

    @Override
    public String toString() {
        return model.getFileName().toString();
    }

    /** Every manifest in {@code testdata/torch}, in name order. */
    public static List<Reference> torch() {
        Path dir = TestFiles.testdata().resolve("torch");
        List<Reference> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(f -> f.toString().endsWith(".properties")).sorted().toList()) {
                Properties m = new Properties();
                try (Reader r = Files.newBufferedReader(p)) {
                    m.load(r);
                }
                String stem = p.getFileName().toString().replace(".properties", "");
                String model = stem + ".pt";
                String shape = m.getProperty("input_shape");
                String chw = m.getProperty("input_chw");
                if (chw == null && shape != null) {
                    chw = shape.substring(shape.indexOf(',') + 1);
                }
                out.add(new Reference(dir.resolve(model),
                        m.getProperty("inputs") == null ? null : dir.resolve(m.getProperty("inputs")), Layout.NCHW,
                        chw == null ? null : chw.replace(',', 'x'),
                        shape == null ? 0 : Integer.parseInt(shape.split(",")[0].trim()),
                        m.getProperty("outputs") == null ? null : dir.resolve(m.getProperty("outputs")),
                        m.getProperty("architecture"), m.getProperty("error"),
                        "PyTorch " + m.getProperty("torch_version", "")));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }

    /** The Keras full-model fixtures in ../shared/fixtures with Keras's recorded outputs (skips the test when absent). */
    public static List<Reference> keras() {
        Path f = TestFiles.sharedFixtures();
        Path k3 = f.resolve("keras3");
        Path tp = f.resolve("third-party");
        Path out3 = tp.resolve("keras3-outputs");
        List<Reference> list = new ArrayList<>();
        for (String name : new String[] {"lenet5_seeded_k3.h5", "lenet5_seeded_k3.keras"}) {
            list.add(new Reference(k3.resolve(name), k3.resolve("inputs_64x28x28x1.f32"), Layout.NHWC, "1x28x28", 64,
                    k3.resolve("lenet5_seeded_outputs_64x10.f32"), null, null, "Keras 3.11.3"));
        }
        String[][] thirdParty = {
                {"MLpaper_LeNet5_LeNet5.h5", "inputs_64x28x28x1.f32", "1x28x28", "64x10"},
                {"Rye-Catcher_LeNet-5__Keras_MNIST_lenet.h5", "inputs_64x28x28x1.f32", "1x28x28", "64x10"},
                {"jambrr_lenet-5_lenet.keras", "inputs_64x28x28x1.f32", "1x28x28", "64x10"},
                {"yang-ze-kang_LeNet5_lenet.h5", "inputs_64x32x32x1.f32", "1x32x32", "64x10"},
                {"4daJKong_Keras_LeNet-5_model_lenet-5.h5", "inputs_64x32x32x1.f32", "1x32x32", "64x10"},
                {"Lowca03_Photons-and-electrons-classification_lenet5.keras", "inputs_64x32x32x2.f32", "2x32x32", "64x1"},
        };
        for (String[] t : thirdParty) {
            String stem = t[0].substring(0, t[0].lastIndexOf('.'));
            list.add(new Reference(tp.resolve(t[0]), out3.resolve(t[1]), Layout.NHWC, t[2], 64,
                    out3.resolve(stem + "_outputs_" + t[3] + ".f32"), null, null, "Keras 3.11.3"));
        }
        return list;
    }
}
