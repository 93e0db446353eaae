package lenet5.torch;

import lenet5.Lenet5;
import lenet5.UnrepresentableModelException;
import lenet5.UnsupportedFormatException;
import lenet5.layers.Activation;
import lenet5.layers.Activation.Function;
import lenet5.layers.AdaptivePool2d;
import lenet5.layers.Pool2d;
import lenet5.model.Sequential;
import lenet5.tensor.Shape;
import lenet5.torch.nn.TorchSyntax;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Options of the wider layer vocabulary that real files do not cover (their numbers: TorchManifestTest, RoundTripTest). */
class LayerOptionsTest {
    @TempDir
    Path tmp;

    @Test
    void architectureTextSpellsEveryOption() {
        Sequential m = TorchSyntax.parse("Sequential(nn.Conv2d(1, 2, 3), nn.ReLU6(inplace=True), nn.Hardtanh(-2, 2.5), "
                + "nn.AdaptiveMaxPool2d((3, 2)), nn.Flatten(), nn.Linear(12, 4), nn.LeakyReLU(negative_slope=0.05), nn.ELU(0.3), "
                + "nn.Softplus(beta=0.5, threshold=10), nn.GELU(approximate='tanh'), nn.LogSoftmax(dim=-1))", Shape.chw(1, 9, 9));
        List<Object> expected = List.of(new Activation("1", Function.HARDTANH, 0, 6), new Activation("2", Function.HARDTANH, -2, 2.5),
                new AdaptivePool2d("3", Pool2d.Kind.MAX, 3, 2), new Activation("6", Function.LEAKY_RELU, 0.05, 0),
                new Activation("7", Function.ELU, 0.3, 0), new Activation("8", Function.SOFTPLUS, 0.5, 10),
                new Activation("9", Function.GELU_TANH), new Activation("10", Function.LOG_SOFTMAX));
        List<Integer> at = List.of(1, 2, 3, 6, 7, 8, 9, 10);
        for (int i = 0; i < at.size(); i++) {
            assertEquals(expected.get(i), m.layers().get(at.get(i)));
        }
        // and back: the text PyTorch evaluates, parsed again, is the same model
        assertEquals(m.layers().stream().map(l -> l.name() + " " + l.describe()).toList(),
                TorchSyntax.parse(TorchSyntax.format(m), m.inputShape()).layers().stream().map(l -> l.name() + " " + l.describe()).toList());
    }

    @Test
    void refusedWithTheReason() {
        var e = assertThrows(UnsupportedFormatException.class,
                () -> TorchSyntax.parse("Sequential(Conv2d(1, 2, 3), AdaptiveAvgPool2d((None, 4)), Flatten(), Linear(8, 2))", Shape.chw(1, 8, 8)));
        assertTrue(e.getMessage().contains("None keeps an input size"), e.getMessage());
        e = assertThrows(UnsupportedFormatException.class,
                () -> TorchSyntax.parse("Sequential(Linear(4, 2), LogSoftmax(dim=0))", Shape.flat(4)));
        assertTrue(e.getMessage().contains("dim=0"), e.getMessage());
        Sequential keras2 = new Sequential(Shape.flat(4), List.of(new Activation("hs", Function.HARD_SIGMOID, 0.2, 0)), null);
        var u = assertThrows(UnrepresentableModelException.class, () -> Lenet5.save(keras2, tmp.resolve("x.pt")));
        assertTrue(u.getMessage().contains("Keras 2's hard_sigmoid"), u.getMessage());
    }
}
