package lenet5.torch;

import lenet5.layout.Layout;
import lenet5.Lenet5;
import lenet5.LoadOptions;
import lenet5.io.RawFloats;
import lenet5.model.Predictor;
import lenet5.model.Sequential;
import lenet5.tensor.Shape;
import lenet5.testing.RealTorch;
import lenet5.testing.TestFiles;
import lenet5.torch.nn.TorchSyntax;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Layers and containers beyond testdata's LeNets (BatchNorm2d/1d, ZeroPad2d, 'same'/'valid',
 * ceil_mode, count_include_pad=False, Identity, nested Sequentials), each saved by real PyTorch
 * as a full model, a state_dict, a legacy file, and scripted and traced TorchScript
 * (src/test/python/make_zoo.py), against PyTorch's outputs; then written by us and run again in
 * PyTorch. Tolerance {@value #TOL}: these untrained models have outputs below 3 in magnitude.
 */
class ZooTest {
    static final double TOL = 1e-6;
    static final List<String> VARIANTS = List.of("full", "state", "legacy", "script", "trace", "dataparallel");
    static final List<String> USER_VARIANTS = List.of("full", "legacy", "script", "trace");

    @TempDir
    Path tmp;

    @TestFactory
    Stream<DynamicTest> everyContainerOfEveryZooModel() throws IOException {
        RealTorch.assumeAvailable();
        RealTorch.run("make_zoo.py", List.of(tmp.toString()));
        List<DynamicTest> tests = new ArrayList<>();
        List<String> jobs = new ArrayList<>();
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(tmp)) {
            for (Path props : s.filter(f -> f.toString().endsWith(".properties")).sorted().toList()) {
                Properties p = new Properties();
                try (Reader r = Files.newBufferedReader(props)) {
                    p.load(r);
                }
                String name = props.getFileName().toString().replace(".properties", "");
                Shape shape = Shape.parse(p.getProperty("input_chw"));
                int n = Integer.parseInt(p.getProperty("samples"));
                float[] inputs = RawFloats.read(tmp.resolve(name + ".inputs.f32"));
                float[] expected = RawFloats.read(tmp.resolve(name + ".outputs.f32"));
                for (String v : VARIANTS) {
                    tests.add(DynamicTest.dynamicTest(name + "_" + v, () -> {
                        LoadOptions o = LoadOptions.DEFAULTS.withInputShape(shape);
                        if (v.equals("state")) {
                            o = o.withArchitecture(TorchSyntax.parse(p.getProperty("architecture"), shape));
                        }
                        Sequential m = Lenet5.load(tmp.resolve(name + "_" + v + ".pt"), o);
                        System.out.println(name + "_" + v + ": " + m.info().format());
                        if (v.equals("script") || v.equals("trace")) {
                            assertEquals("torchscript (" + (v.equals("script") ? "scripted" : "traced") + ")", m.info().format());
                        }
                        try (Predictor pr = m.newPredictor(Layout.NCHW)) {
                            var d = TestFiles.assertClose(expected, pr.batchPredict(inputs), n, TOL, name + "_" + v);
                            assertEquals(n, d.argmaxAgreement());
                        }
                    }));
                }
                Sequential full = Lenet5.load(tmp.resolve(name + "_full.pt"), LoadOptions.DEFAULTS.withInputShape(shape));
                Path pt = tmp.resolve(name + "_ours.pt");
                Lenet5.save(full, pt);
                Path arch = Files.writeString(tmp.resolve(name + "_ours.arch.py"), TorchSyntax.format(full));
                String dims = n + ":" + shape.channels() + ":" + shape.height() + ":" + shape.width();
                jobs.add(arch + "," + pt + "," + tmp.resolve(name + ".inputs.f32") + "," + dims);
                Path fullPt = tmp.resolve(name + "_ours_full.pt");
                Lenet5.save(full, fullPt, new lenet5.SaveOptions(null, "full"));
                jobs.add("full," + fullPt + "," + tmp.resolve(name + ".inputs.f32") + "," + dims);
                names.add(name);
            }
        }
        assertTrue(names.size() >= 3, "make_zoo.py wrote " + names);
        tests.addAll(userModuleTests());
        tests.add(DynamicTest.dynamicTest("checkpoint with numpy values, a device, a dtype and SGD state", () -> {
            Sequential m = Lenet5.load(tmp.resolve("checkpoint.pt"), LoadOptions.DEFAULTS.withArchitecture(
                    TorchSyntax.parse(Files.readString(tmp.resolve("checkpoint.arch")), Shape.chw(1, 8, 8))));
            assertEquals("pytorch zip, checkpoint[model_state_dict], weights bound in order to the given architecture", m.info().format());
            try (Predictor pr = m.newPredictor(Layout.NCHW)) {
                TestFiles.assertClose(RawFloats.read(tmp.resolve("checkpoint.outputs.f32")),
                        pr.batchPredict(RawFloats.read(tmp.resolve("checkpoint.inputs.f32"))), 4, TOL, "checkpoint");
            }
        }));
        List<float[]> torch = RealTorch.jobs(RealTorch.run("run_state_dict.py", jobs));
        for (int i = 0; i < 2 * names.size(); i++) {
            String name = names.get(i / 2) + (i % 2 == 0 ? " rewritten as state_dict" : " rewritten as full model");
            String stem = names.get(i / 2);
            float[] out = torch.get(i);
            tests.add(DynamicTest.dynamicTest(name + ", run by PyTorch", () -> {
                float[] expected = RawFloats.read(tmp.resolve(stem + ".outputs.f32"));
                TestFiles.assertClose(expected, out, 4, TOL, name);
            }));
        }
        return tests.stream();
    }

    /**
     * {@code __main__.LeNet5}, a class-based module whose forward() calls functional ops: without an
     * architecture the reader must refuse and name the class; with the user's architecture it binds
     * the weights in order and matches PyTorch.
     */
    private List<DynamicTest> userModuleTests() throws IOException {
        String arch = Files.readString(tmp.resolve("user.arch"));
        float[] inputs = RawFloats.read(tmp.resolve("user.inputs.f32"));
        float[] expected = RawFloats.read(tmp.resolve("user.outputs.f32"));
        List<DynamicTest> tests = new ArrayList<>();
        for (String v : USER_VARIANTS) {
            Path file = tmp.resolve("user_" + v + ".pt");
            tests.add(DynamicTest.dynamicTest("user class " + v + " without architecture", () -> {
                var e = org.junit.jupiter.api.Assertions.assertThrows(lenet5.ArchitectureMismatchException.class, () -> Lenet5.load(file));
                System.out.println(e.getMessage());
                assertTrue(e.getMessage().contains(v.equals("script") || v.equals("trace") ? "__torch__." : "__main__.LeNet5"), e.getMessage());
                assertTrue(e.getMessage().contains("forward()") && e.getMessage().contains("conv1"), e.getMessage());
            }));
            tests.add(DynamicTest.dynamicTest("user class " + v + " with the user's architecture", () -> {
                Sequential m = Lenet5.load(file, LoadOptions.DEFAULTS.withArchitecture(TorchSyntax.parse(arch, Shape.chw(1, 28, 28))));
                assertEquals("conv1.weight", m.info().storedWeights().get(0).name());
                try (Predictor pr = m.newPredictor(Layout.NCHW)) {
                    TestFiles.assertClose(expected, pr.batchPredict(inputs), 4, TOL, "user class " + v);
                }
            }));
        }
        return tests;
    }
}
