package lenet5.integration;

import lenet5.compare.Diff;
import lenet5.io.RawFloats;
import lenet5.layout.Layout;
import lenet5.layout.WeightLayouts;
import lenet5.safety.CliRun;
import lenet5.tensor.Shape;
import lenet5.testing.RealKeras;
import lenet5.testing.Reference;
import lenet5.testing.TestFiles;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every .h5 and .keras this project writes, in the hands of REAL Keras 3.11.3: each PyTorch file
 * of testdata (made by real PyTorch), each Keras fixture of ../shared/fixtures and each Keras 3
 * file with non-default layer names of backend-keras's resources is converted by
 * {@code lenet5 convert} to .h5 and to .keras; Keras loads every result and its predictions
 * must match what the source framework computed. One Keras process runs all files.
 */
class RealKerasTest {
    /** Softmax outputs in [0, 1] and small raw outputs; float32 in two engines. */
    static final double TOL = 1e-5;

    /** Sources Keras cannot express: lenet5_odd pools with padding 1, which is not Keras's 'same' for its sizes. */
    static final List<String> REFUSED = List.of("lenet5_odd");

    @TempDir
    Path tmp;

    record Source(String name, Path file, List<String> args, float[] inputsNhwc, Shape chw, int rows, float[] expected) {
    }

    private List<Source> sources() {
        List<Source> out = new ArrayList<>();
        for (Reference r : Reference.torch()) {
            if (r.error() != null) {
                continue;
            }
            Shape s = Shape.parse(r.inputShape());
            List<String> args = r.architecture() == null ? List.of("--input-shape", r.inputShape())
                    : List.of("--arch", r.architecture(), "--input-shape", r.inputShape());
            out.add(new Source(r.toString(), r.model(), args, WeightLayouts.nchwToNhwc(r.inputValues(), r.samples(), s), s,
                    r.samples(), r.outputValues()));
        }
        if (Files.isDirectory(TestFiles.root().resolve("../shared/fixtures"))) {
            for (Reference r : Reference.keras()) {
                Shape s = Shape.parse(r.inputShape());
                float[] in = r.layout() == Layout.NHWC ? r.inputValues() : WeightLayouts.nchwToNhwc(r.inputValues(), r.samples(), s);
                out.add(new Source(r.toString(), r.model(), List.of(), in, s, r.samples(), r.outputValues()));
            }
        }
        Path k3 = TestFiles.root().resolve("backend-keras/src/test/resources/keras3");
        for (String m : List.of("k3_suffixed", "k3_named", "k3_nested", "k3_functional")) {
            out.add(new Source(m + ".keras", k3.resolve(m + ".keras"), List.of(), RawFloats.read(k3.resolve("inputs_8x28x28x1.f32")),
                    Shape.chw(1, 28, 28), 8, RawFloats.read(k3.resolve(m + ".outputs.f32"))));
        }
        return out;
    }

    @TestFactory
    Stream<DynamicTest> kerasLoadsEveryFileWeWrite() throws Exception {
        RealKeras.assumeAvailable();
        List<String> jobs = new ArrayList<>();
        List<DynamicTest> tests = new ArrayList<>();
        List<Runnable> checks = new ArrayList<>();
        int k = 0;
        for (Source s : sources()) {
            Path in = tmp.resolve(k + ".nhwc.f32");
            RawFloats.write(in, s.inputsNhwc());
            for (String ext : List.of("h5", "keras")) {
                Path target = tmp.resolve(k + "-" + s.name().replaceAll("[^A-Za-z0-9_]", "_") + "." + ext);
                List<String> cmd = new ArrayList<>(List.of("convert", s.file().toString(), target.toString()));
                cmd.addAll(s.args());
                CliRun c = CliRun.of(cmd.toArray(String[]::new));
                Path out = tmp.resolve(k + "." + ext + ".out.f32");
                String what = s.name() + " -> ." + ext;
                if (c.exit() != 0 || REFUSED.stream().anyMatch(s.name()::startsWith)) {
                    // What Keras cannot express is refused before writing, with the reason; only the files known for it.
                    tests.add(DynamicTest.dynamicTest(what + " (refused)", () -> {
                        assertTrue(REFUSED.stream().anyMatch(s.name()::startsWith), what + " failed: " + c.err());
                        assertEquals(2, c.exit(), what + " should be refused: " + c.out());
                        assertTrue(c.err().contains("max pooling with padding 1 other than Keras's 'same'"), c.err());
                    }));
                    continue;
                }
                jobs.add(RealKeras.job(target, in, null, out));
                tests.add(DynamicTest.dynamicTest(what + ", real Keras 3.11.3 agrees", () -> {
                    Diff d = TestFiles.assertClose(s.expected(), RawFloats.read(out), s.rows(), TOL, what + ": real Keras vs the source framework");
                    assertEquals(s.rows(), d.argmaxAgreement());
                }));
            }
            k++;
        }
        System.out.println(RealKeras.run(jobs));
        return tests.stream();
    }
}
