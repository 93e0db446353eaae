package lenet5.torch;

import lenet5.layout.Layout;
import lenet5.layout.WeightLayout;
import lenet5.Lenet5;
import lenet5.LoadOptions;
import lenet5.io.RawFloats;
import lenet5.model.Predictor;
import lenet5.model.Sequential;
import lenet5.model.StoredWeight;
import lenet5.testing.TestFiles;
import lenet5.testing.TorchFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What ModelInfo reports for each container, and container features testdata does not exercise (big-endian storages). */
class ContainerVariantsTest {
    @TempDir
    Path tmp;

    static Sequential load(String stem) {
        Manifest m = Manifest.named(stem);
        return Lenet5.load(m.model(), m.options());
    }

    @Test
    void modelInfoNamesTheContainerAndContent() {
        Map<String, String> formats = Map.ofEntries(Map.entry("lenet5_tanh_checkpoint_model_state",
                        "pytorch zip, checkpoint[model_state], weights bound in order to the given architecture"),
                Map.entry("lenet5_relu_swa_state_dict", "pytorch zip, state_dict, weights bound in order to the given architecture"));
        formats.forEach((stem, format) -> assertEquals(format, load(stem).info().format(), stem));
        formats = Map.of(
                "lenet5_tanh", "pytorch zip, full model, input 1x28x28 inferred",
                "lenet5_tanh_legacy_state_dict", "pytorch legacy, state_dict, weights bound in order to the given architecture",
                "lenet5_tanh_script", "torchscript (scripted), input 1x28x28 inferred",
                "lenet5_tanh_trace", "torchscript (traced), input 1x28x28 inferred",
                "lenet5_tanh_checkpoint", "pytorch zip, checkpoint[model_state_dict], weights bound in order to the given architecture",
                "lenet5_tanh_wrapped_model", "pytorch zip, checkpoint[model], full model, input 1x28x28 inferred",
                "lenet5_odd", "pytorch zip, full model",
                "lenet5_relu_state_dict_extras", "pytorch zip, state_dict (entries that are not tensors ignored: 'epoch', 'classes', "
                        + "'normalize'), weights bound in order to the given architecture");
        formats.forEach((stem, format) -> assertEquals(format, load(stem).info().format(), stem));
        assertEquals("archive version 3", load("lenet5_tanh").info().frameworkVersion());
        assertEquals("legacy protocol 1001", load("lenet5_tanh_legacy").info().frameworkVersion());
        List<StoredWeight> f16 = load("lenet5_tanh_state_dict_f16").info().storedWeights();
        assertEquals(new StoredWeight("0.weight", List.of(6, 1, 5, 5), "float16", WeightLayout.PYTORCH_CONV, 0), f16.get(0));
        assertEquals(new StoredWeight("9.weight", List.of(84, 120), "float16", WeightLayout.PYTORCH_DENSE, 9), f16.get(6));
        assertEquals(new StoredWeight("11.bias", List.of(10), "float16", WeightLayout.VECTOR, 11), f16.get(9));
        assertEquals("bfloat16", load("lenet5_tanh_state_dict_bf16").info().storedWeights().get(0).dtype());
    }

    @Test
    void aBareTutorialStateDictLoadsAsTheTanhModelAndSaysSo() {
        Sequential m = Lenet5.load(Manifest.named("lenet5_tanh_state_dict").model());
        assertTrue(m.info().format().contains("Tanh + AvgPool2d") && m.info().format().contains("ReLU + MaxPool2d variant has identical weights"),
                m.info().format());
        Manifest ref = Manifest.named("lenet5_tanh");
        try (Predictor p = m.newPredictor(Layout.NCHW)) {
            TestFiles.assertClose(RawFloats.read(ref.path("outputs")), p.batchPredict(RawFloats.read(ref.path("inputs"))), 16,
                    TorchManifestTest.TOL_PROBS, "bare tutorial state_dict");
        }
    }

    /** torch 2.x writes a {@code byteorder} record; 'big' means big-endian storages, which must be swapped. */
    @Test
    void bigEndianStoragesAreSwapped() throws IOException {
        Manifest m = Manifest.named("lenet5_tanh_state_dict");
        Path big = tmp.resolve("big.pt");
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (ZipFile in = new ZipFile(m.model().toFile()); ZipOutputStream out = new ZipOutputStream(bo)) {
            for (ZipEntry e : Collections.list(in.entries())) {
                byte[] b = in.getInputStream(e).readAllBytes();
                if (e.getName().contains("/data/")) {
                    ByteBuffer src = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
                    ByteBuffer dst = ByteBuffer.allocate(b.length).order(ByteOrder.BIG_ENDIAN);
                    while (src.hasRemaining()) {
                        dst.putFloat(src.getFloat());
                    }
                    b = dst.array();
                }
                out.putNextEntry(new ZipEntry(e.getName()));
                out.write(b);
            }
            out.putNextEntry(new ZipEntry("lenet5_tanh_state_dict/byteorder"));
            out.write("big".getBytes());
        }
        Files.write(big, bo.toByteArray());
        Sequential model = Lenet5.load(big, m.options());
        RoundTripTest.assertWeightsIdentical(Lenet5.load(m.model(), m.options()), model);

        long[] one = {1, 1};
        byte[] legacy = TorchFiles.legacy(TorchFiles.stateDict(1, one, one, true), 1, ByteBuffer.allocate(4).putFloat(0.5f).array(), true);
        Sequential l = Lenet5.load(Files.write(tmp.resolve("big_legacy.pt"), legacy), LoadOptions.DEFAULTS.withArchitecture(HostileFilesTest.ARCH));
        assertEquals(0.5f, l.weights().get(0).data()[0]);
    }
}
