package lenet5.torch;

import lenet5.LoadOptions;
import lenet5.spi.Source;
import lenet5.Lenet5;
import lenet5.SaveOptions;
import lenet5.UnrepresentableModelException;
import lenet5.UnsupportedFormatException;
import lenet5.layers.Conv2d;
import lenet5.layers.Dense;
import lenet5.layers.Flatten;
import lenet5.layers.Padding;
import lenet5.layers.Pool2d;
import lenet5.model.Sequential;
import lenet5.tensor.Shape;
import lenet5.tensor.Tensor;
import lenet5.torch.nn.TorchSyntax;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The state_dict files we write: torch.save's layout, readable by us and by {@code ZipFile}, written atomically. */
class TorchWriterTest {
    @TempDir
    Path tmp;

    static Sequential tanh() {
        return Lenet5.load(Manifest.named("lenet5_tanh").model());
    }

    @Test
    void layoutFollowsTorchSave() throws IOException {
        Path out = tmp.resolve("my-model.pt");
        Lenet5.save(tanh(), out);
        List<String> names = new ArrayList<>();
        try (ZipFile z = new ZipFile(out.toFile())) {
            Collections.list(z.entries()).forEach(e -> {
                names.add(e.getName());
                assertEquals(ZipEntry.STORED, e.getMethod(), e.getName());
            });
            assertEquals("3\n", new String(z.getInputStream(z.getEntry("my-model/version")).readAllBytes(), StandardCharsets.US_ASCII));
            assertEquals(600, z.getEntry("my-model/data/0").getSize(), "0.weight: 150 float32");
        }
        assertEquals("my-model/data.pkl", names.get(0));
        assertTrue(names.containsAll(List.of("my-model/byteorder", "my-model/data/9", "my-model/version")), names.toString());
        // 10 tensors, data.pkl, byteorder, version, and the architecture records this project reads its own files back with
        assertTrue(names.containsAll(List.of("my-model/extra/lenet5_architecture.txt", "my-model/extra/lenet5_input_shape.txt")), names.toString());
        assertEquals(15, names.size(), names.toString());
        // Every entry's data starts at a multiple of 64, like PyTorch's "FB" padding, so PyTorch can mmap it.
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN);
        for (int at = 0; b.getInt(at) == 0x04034b50; ) {
            int nameLen = b.getShort(at + 26) & 0xffff;
            int extraLen = b.getShort(at + 28) & 0xffff;
            int data = at + 30 + nameLen + extraLen;
            assertEquals(0, data % 64, "data offset of entry at " + at);
            at = data + b.getInt(at + 18);
        }
        assertTrue(new TorchFormat().canRead(Source.of(out)));
    }

    @Test
    void readsBackBitForBitWithTheFormattedArchitecture() {
        Sequential m = tanh();
        Path out = tmp.resolve("t.pth");
        Lenet5.save(m, out);
        Sequential back = Lenet5.load(out, LoadOptions.DEFAULTS.withArchitecture(TorchSyntax.parse(TorchSyntax.format(m), m.inputShape())));
        RoundTripTest.assertWeightsIdentical(m, back);
        assertEquals("0.weight", back.info().storedWeights().get(0).name());
        assertEquals("(out,in,kh,kw)", back.info().storedWeights().get(0).layout().describe());
        // Its keys are the tutorial's, so it also loads with no architecture at all.
        RoundTripTest.assertWeightsIdentical(m, Lenet5.load(out));
    }

    @Test
    void insertedModulesShiftTheKeys() {
        Sequential asym = new Sequential(Shape.chw(1, 4, 4), List.of(new Conv2d("c", 1, 2, 2, 2, 1, 1, new Padding(0, 1, 0, 1),
                filled(2, 1, 2, 2), filled(2)), new Flatten("f"), new Dense("d", 32, 2, filled(2, 32), filled(2))), null);
        Path out = tmp.resolve("asym.pt");
        Lenet5.save(asym, out);
        String text = TorchSyntax.format(asym);
        assertTrue(text.startsWith("torch.nn.Sequential(torch.nn.ZeroPad2d((0, 1, 0, 1)), torch.nn.Conv2d("), text);
        Sequential back = Lenet5.load(out, LoadOptions.DEFAULTS.withArchitecture(TorchSyntax.parse(text, asym.inputShape())));
        assertEquals(List.of("1.weight", "1.bias", "3.weight", "3.bias"), back.info().storedWeights().stream().map(s -> s.name()).toList());
        RoundTripTest.assertWeightsIdentical(asym, back);
    }

    static Tensor filled(int... shape) {
        float[] d = new float[(int) Tensor.numel(shape)];
        for (int i = 0; i < d.length; i++) {
            d[i] = i * 0.25f - 1;
        }
        return Tensor.of(d, shape);
    }

    @Test
    void refusalsLeaveNoFileBehind() throws IOException {
        Path out = tmp.resolve("keep.pt");
        Files.writeString(out, "old content");
        Sequential maxAsym = new Sequential(Shape.chw(1, 5, 5), List.of(new Pool2d("p", Pool2d.Kind.MAX, 2, 2, 1, 1,
                new Padding(1, 0, 1, 0), true, false)), null);
        var e = assertThrows(UnrepresentableModelException.class, () -> Lenet5.save(maxAsym, out));
        assertTrue(e.getMessage().startsWith(out.toString()), e.getMessage());
        var v = assertThrows(UnsupportedFormatException.class, () -> Lenet5.save(tanh(), out, new SaveOptions(null, "onnx")));
        assertTrue(v.getMessage().contains("'onnx'") && v.getMessage().contains("'full'"), v.getMessage());
        assertEquals("old content", Files.readString(out));
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of(out), s.toList(), "no temporary files left");
        }
    }

    @Test
    void theFullVariantReadsBackAsTheSameModel() {
        Sequential m = TorchSyntax.parse("Sequential(ZeroPad2d((1, 0, 2, 0)), Conv2d(1, 2, 3, bias=False), BatchNorm2d(2), ReLU(), "
                + "MaxPool2d(2, ceil_mode=True), Dropout(0.5), Flatten(), Linear(18, 2), Identity(), Softmax(dim=1))", Shape.chw(1, 5, 6));
        List<Tensor> w = new ArrayList<>();
        for (Tensor t : m.weights()) {
            w.add(filled(t.shape()));
        }
        m = m.withWeights(w);
        Path out = tmp.resolve("full.pt");
        Lenet5.save(m, out, new SaveOptions(null, "full"));
        Sequential back = Lenet5.load(out, LoadOptions.DEFAULTS.withInputShape(m.inputShape()));
        assertEquals(TorchSyntaxTest.describe(m), TorchSyntaxTest.describe(back));
        assertEquals("pytorch zip, full model", back.info().format());
        RoundTripTest.assertWeightsIdentical(m, back);
    }

    @Test
    void batchNormCarriesItsCounterSoStrictLoadingWorks() {
        Sequential m = TorchSyntax.parse("Sequential(Conv2d(1, 2, 3), BatchNorm2d(2), Flatten(), Linear(8, 2), BatchNorm1d(2))", Shape.chw(1, 4, 4));
        Path out = tmp.resolve("bn.pt");
        Lenet5.save(m, out);
        Sequential back = Lenet5.load(out, LoadOptions.DEFAULTS.withArchitecture(TorchSyntax.parse(TorchSyntax.format(m), m.inputShape())));
        assertArrayEquals(new String[] {"0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "3.weight", "3.bias",
                "4.weight", "4.bias", "4.running_mean", "4.running_var"}, back.info().storedWeights().stream().map(s -> s.name()).toArray());
    }
}
