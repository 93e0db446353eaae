package lenet5.keras;

import lenet5.Lenet5;
import lenet5.LoadOptions;
import lenet5.UnrepresentableModelException;
import lenet5.io.RawFloats;
import lenet5.model.Sequential;
import lenet5.testing.KerasLayerCase;
import lenet5.testing.RealKeras;
import lenet5.testing.TestFiles;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Keras layer vocabulary beyond LeNet-5 (testdata/layers/keras, written by real Keras 3.11.3):
 * every file kind reads and predicts Keras's outputs; the .h5 and .keras files we write from them
 * load in real Keras 3.11.3 and predict the same, or are refused with the reason.
 *
 * <p>Tolerance {@value #TOL} absolute: outputs are at most ~3 in magnitude, where float32 ulps
 * are 2.4e-7, and the models are a few layers deep.
 */
class LayerVocabularyTest {
    static final double TOL = 1e-6;

    @TempDir
    Path tmp;

    static Sequential load(KerasLayerCase c, String kind) {
        if (kind.equals("weights")) {
            return Lenet5.load(c.file(kind), LoadOptions.DEFAULTS.withArchitecture(Lenet5.load(c.json())));
        }
        return Lenet5.load(c.file(kind));
    }

    @TestFactory
    Stream<DynamicTest> everyFileKindGivesKerasOutputs() {
        List<DynamicTest> tests = new ArrayList<>();
        for (KerasLayerCase c : KerasLayerCase.all()) {
            for (String kind : c.files()) {
                tests.add(DynamicTest.dynamicTest(c + " " + kind, () -> {
                    Sequential m = load(c, kind);
                    var d = TestFiles.assertClose(c.outputValues(), Fixtures.predict(m, c.inputValues()), c.samples(), TOL,
                            c.file(kind).getFileName() + " vs Keras " + m.info().frameworkVersion());
                    assertEquals(c.samples(), d.argmaxAgreement());
                }));
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> realKerasLoadsWhatWeWrite() {
        List<KerasLayerCase> cases = KerasLayerCase.all();
        return Stream.of(DynamicTest.dynamicTest("k* -> .h5, .keras in real Keras 3.11.3", () -> {
            RealKeras.assumeAvailable();
            List<String> jobs = new ArrayList<>();
            List<Path> outs = new ArrayList<>();
            List<KerasLayerCase> of = new ArrayList<>();
            for (KerasLayerCase c : cases) {
                Sequential m = load(c, "keras");
                for (String target : List.of("h5", "keras")) {
                    Path written = tmp.resolve(c.name() + "." + target);
                    String refusal = c.refusal(target);
                    if (refusal != null) {
                        var e = assertThrows(UnrepresentableModelException.class, () -> Lenet5.save(m, written));
                        assertTrue(e.getMessage().contains(refusal), e.getMessage());
                        System.out.println(c + " -> ." + target + ": refused as expected: " + e.getMessage());
                        continue;
                    }
                    Lenet5.save(m, written);
                    Path out = tmp.resolve(c.name() + "." + target + ".out.f32");
                    jobs.add(RealKeras.job(written, c.inputs(), c.inputShape(), out));
                    outs.add(out);
                    of.add(c);
                }
            }
            RealKeras.run(jobs);
            for (int i = 0; i < outs.size(); i++) {
                KerasLayerCase c = of.get(i);
                var d = TestFiles.assertClose(c.outputValues(), RawFloats.read(outs.get(i)), c.samples(), TOL,
                        "real Keras on our " + outs.get(i).getFileName().toString().replace(".out.f32", "") + " vs Keras's reference");
                assertEquals(c.samples(), d.argmaxAgreement());
            }
        }));
    }
}
