package lenet5.torch;

import lenet5.ArchitectureMismatchException;
import lenet5.ArchitectureRequiredException;
import lenet5.LoadOptions;
import lenet5.Lenet5;
import lenet5.io.RawFloats;
import lenet5.layout.Layout;
import lenet5.model.Predictor;
import lenet5.model.Sequential;
import lenet5.testing.TestFiles;
import lenet5.torch.nn.TorchSyntax;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Full pickles of users' own nn.Module classes (testdata/user_modules.py, written by
 * testdata/stranger_variants.py with real PyTorch): the refusal drafts --arch text from the
 * modules in registration order, with Flatten() where forward() must flatten. Where forward()
 * only chains its modules and flattens, that draft, pasted as it is, gives PyTorch's numbers.
 */
class RegistrationDraftTest {
    private static ArchitectureRequiredException refusal(Manifest m) {
        return assertThrows(ArchitectureRequiredException.class, () -> Lenet5.load(m.model(), LoadOptions.DEFAULTS));
    }

    /** features/classifier with x.view(x.size(0), -1); one attribute per layer with torch.flatten(x, 1). */
    @ParameterizedTest
    @ValueSource(strings = {"lenet5_relu_user_features", "lenet5_tanh_user_attributes"})
    void theDraftPastedAsItIsGivesPyTorchsNumbers(String stem) {
        Manifest m = Manifest.named(stem);
        ArchitectureRequiredException e = refusal(m);
        String draft = e.suggestion();
        assertNotNull(draft, e.getMessage());
        System.out.println(stem + ": " + e.getMessage());
        assertTrue(draft.contains("Flatten(), Linear(120, 84)"), draft);
        assertTrue(e.getMessage().contains("Flatten() stands where the first Linear follows feature maps"), e.getMessage());
        assertTrue(e.getMessage().contains("F.relu -> ReLU()"), e.getMessage());
        // as --arch does it: no input shape given, so it is inferred from the draft
        Sequential model = Lenet5.load(m.model(), LoadOptions.DEFAULTS.withArchitecture(TorchSyntax.parse(draft, null)));
        assertEquals(m.inputShape(), model.inputShape());
        try (Predictor p = model.newPredictor(Layout.NCHW)) {
            var d = TestFiles.assertClose(RawFloats.read(m.path("outputs")), p.batchPredict(RawFloats.read(m.path("inputs"))),
                    m.samples(), TorchManifestTest.TOL_PROBS, stem + " with the drafted architecture");
            assertEquals(m.samples(), d.argmaxAgreement());
        }
    }

    /**
     * The CIFAR-10 tutorial's way: one self.pool used after each convolution, F.relu and F.softmax.
     * The message says that a reused module must be written twice and that functions are missing;
     * the draft as it is does not fit 28x28 inputs (refused with --input-shape 1,28,28).
     */
    @Test
    void aReusedModuleAndFunctionalCallsAreNamed() {
        Manifest m = Manifest.named("lenet5_relu_user_tutorial");
        ArchitectureRequiredException e = refusal(m);
        String msg = e.getMessage();
        System.out.println(msg);
        assertTrue(msg.contains("a module that forward() uses twice must be written twice, and [pool: MaxPool2d] holds no weights"), msg);
        assertTrue(msg.contains("functions that forward() calls are not modules and so not in the draft"), msg);
        assertTrue(e.suggestion().startsWith("Sequential(Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2)), "
                + "MaxPool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0)), Conv2d(6, 16, "), e.suggestion());
        // as it is, the draft has one pooling fewer: the weights still bind, but only to inputs of another size
        Sequential asIs = Lenet5.load(m.model(), LoadOptions.DEFAULTS.withArchitecture(TorchSyntax.parse(e.suggestion(), null)));
        assertEquals(lenet5.tensor.Shape.chw(1, 18, 18), asIs.inputShape());
        assertThrows(ArchitectureMismatchException.class, () -> Lenet5.load(m.model(),
                LoadOptions.DEFAULTS.withArchitecture(TorchSyntax.parse(e.suggestion(), m.inputShape()))));
    }

    /** Modules inside Sequential containers run once each: no reuse note. */
    @Test
    void sequentialContainersGetNoReuseNote() {
        String msg = refusal(Manifest.named("lenet5_relu_user_features")).getMessage();
        assertTrue(!msg.contains("uses twice"), msg);
    }
}
