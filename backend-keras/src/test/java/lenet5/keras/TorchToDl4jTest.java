package lenet5.keras;

import lenet5.Lenet5;
import lenet5.LoadOptions;
import lenet5.UnrepresentableModelException;
import lenet5.layout.Layout;
import lenet5.layout.WeightLayouts;
import lenet5.model.Sequential;
import lenet5.tensor.Shape;
import lenet5.testing.Reference;
import lenet5.testing.TestFiles;
import lenet5.torch.nn.TorchSyntax;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * PyTorch models converted to Keras .h5 by this project, imported by Deeplearning4j (an
 * independent Keras importer) and run on PyTorch's recorded inputs in NHWC: DL4J must reproduce
 * the outputs PyTorch computed. This checks the kernel transposes and the Flatten permutation
 * against code that is not ours on either side.
 *
 * <p>Tolerance 2e-6 absolute: DL4J computes in float32 with its own summation order; the largest
 * difference observed was 6.6e-7 (lenet5_relu).
 */
@Tag("dl4j")
class TorchToDl4jTest {
    @TempDir
    Path tmp;

    @TestFactory
    Stream<DynamicTest> dl4jReproducesPyTorchOnOurH5() {
        return Reference.torch().stream().filter(r -> r.error() == null).map(r -> DynamicTest.dynamicTest(r.toString(), () -> {
            Shape s = Shape.parse(r.inputShape());
            LoadOptions o = LoadOptions.DEFAULTS.withInputShape(s);
            if (r.architecture() != null) {
                o = o.withArchitecture(TorchSyntax.parse(r.architecture(), s));
            }
            Sequential m = Lenet5.load(r.model(), o);
            Path h5 = tmp.resolve(r.model().getFileName() + ".h5");
            try {
                Lenet5.save(m, h5);
            } catch (UnrepresentableModelException e) {
                System.out.println(r + ": not expressible in Keras: " + e.problem());
                assertEquals("lenet5_odd", r.model().getFileName().toString().replaceAll("(_state_dict)?\\.pt$", ""));
                return;
            }
            MultiLayerNetwork net = Dl4j.importModel(h5);
            float[] nhwc = WeightLayouts.nchwToNhwc(r.inputValues(), r.samples(), s);
            float[] dl4j = Dl4j.output(net, nhwc, s, Layout.NHWC);
            var d = TestFiles.assertClose(r.outputValues(), dl4j, r.samples(), 2e-6,
                    r + ": DL4J on our .h5 vs " + r.framework());
            assertEquals(r.samples(), d.argmaxAgreement());
        }));
    }
}
