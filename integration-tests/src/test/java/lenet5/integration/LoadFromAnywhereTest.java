package lenet5.integration;

import lenet5.CorruptFileException;
import lenet5.Lenet5;
import lenet5.Lenet5Exception;
import lenet5.LoadOptions;
import lenet5.layout.Layout;
import lenet5.model.Predictor;
import lenet5.model.Sequential;
import lenet5.tensor.Shape;
import lenet5.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every container loads from a path, a byte[], an InputStream and a classpath resource, with the
 * same result: a torch zip, a legacy torch file, a Keras .h5 (in-memory HDF5) and a .keras zip.
 * The outputs are PyTorch's (tolerance 1e-6 on probabilities); errors name the source.
 */
class LoadFromAnywhereTest {
    static final Path TORCH = TestFiles.testdata().resolve("torch");
    static final LoadOptions RGB = LoadOptions.DEFAULTS.withInputShape(Shape.chw(3, 32, 28));

    @TempDir
    Path tmp;

    @Test
    void everyContainerFromEverySource() throws IOException {
        float[] in = lenet5.io.RawFloats.read(TORCH.resolve("inputs_16x3x32x28.f32"));
        float[] torch = lenet5.io.RawFloats.read(TORCH.resolve("lenet5_rgb.outputs.f32"));
        Path pt = TORCH.resolve("lenet5_rgb.pt");
        Sequential model = Lenet5.load(pt, RGB);
        Path h5 = tmp.resolve("rgb.h5"), keras = tmp.resolve("rgb.keras");
        Lenet5.save(model, h5);
        Lenet5.save(model, keras);
        Path legacy = TORCH.resolve("lenet5_tanh_legacy.pt");
        for (Path f : new Path[] {pt, h5, keras, legacy}) {
            LoadOptions o = f == legacy ? LoadOptions.DEFAULTS : RGB;
            byte[] bytes = Files.readAllBytes(f);
            Sequential fromPath = Lenet5.load(f, o);
            float[] x = f == legacy ? new float[16 * 784] : in;
            float[] expected = predict(fromPath, x);
            if (f != legacy) {
                TestFiles.assertClose(torch, expected, 16, 1e-6, f.getFileName() + " from a path vs PyTorch");
            }
            assertArrayEquals(expected, predict(Lenet5.load(bytes, o), x), f + " from byte[]");
            try (InputStream s = new ByteArrayInputStream(bytes)) {
                assertArrayEquals(expected, predict(Lenet5.load(s, o), x), f + " from an InputStream");
            }
            assertEquals(fromPath.info().format(), Lenet5.load(bytes, o).info().format());
        }
        Sequential resource = Lenet5.loadResource(LoadFromAnywhereTest.class, "lenet5_rgb.pt", RGB);
        TestFiles.assertClose(torch, predict(resource, in), 16, 1e-6, "lenet5_rgb.pt as a classpath resource vs PyTorch");
    }

    @Test
    void errorsNameTheSource() throws IOException {
        byte[] bytes = Files.readAllBytes(TORCH.resolve("lenet5_rgb.pt"));
        byte[] cut = Arrays.copyOf(bytes, bytes.length / 2);
        Lenet5Exception e = assertThrows(CorruptFileException.class, () -> Lenet5.load(cut, RGB));
        assertEquals("<bytes>", e.source());
        assertTrue(e.getMessage().startsWith("<bytes>: "), e.getMessage());
        e = assertThrows(Lenet5Exception.class, () -> Lenet5.load(new ByteArrayInputStream(new byte[7])));
        assertTrue(e.getMessage().startsWith("<stream>: not a model file"), e.getMessage());
        e = assertThrows(Lenet5Exception.class, () -> Lenet5.loadResource(LoadFromAnywhereTest.class, "missing.pt"));
        assertEquals("missing.pt: no such resource (looked up from " + LoadFromAnywhereTest.class.getName() + ")", e.getMessage());
        Path f = Files.write(tmp.resolve("cut.pt"), cut);
        e = assertThrows(CorruptFileException.class, () -> Lenet5.load(f, RGB));
        assertEquals(f, e.file());
        assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
    }

    private static float[] predict(Sequential m, float[] x) {
        try (Predictor p = m.newPredictor(Layout.NCHW)) {
            return p.batchPredict(x);
        }
    }
}
