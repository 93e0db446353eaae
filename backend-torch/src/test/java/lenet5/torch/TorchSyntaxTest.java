package lenet5.torch;

import lenet5.ArchitectureMismatchException;
import lenet5.UnrepresentableModelException;
import lenet5.UnsupportedFormatException;
import lenet5.layers.Activation;
import lenet5.layers.Conv2d;
import lenet5.layers.Dense;
import lenet5.layers.Layer;
import lenet5.layers.Padding;
import lenet5.layers.Pool2d;
import lenet5.layers.ZeroPad2d;
import lenet5.model.Sequential;
import lenet5.tensor.Shape;
import lenet5.torch.nn.StateDicts;
import lenet5.torch.nn.TorchSyntax;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Architecture text in PyTorch's constructor syntax: parsing what users write, and writing what PyTorch evaluates. */
class TorchSyntaxTest {
    static final Shape MNIST = Shape.chw(1, 28, 28);

    @Test
    void parsesTheManifestText() {
        Sequential m = TorchSyntax.parse(StateDicts.TUTORIAL, MNIST);
        assertEquals(13, m.layers().size());
        assertEquals(Shape.flat(10), m.outputShape());
        Conv2d c = (Conv2d) m.layers().get(0);
        assertEquals(List.of(1, 6, 5, 5, 1, 1), List.of(c.inChannels(), c.outChannels(), c.kernelH(), c.kernelW(), c.strideH(), c.strideW()));
        assertEquals(Padding.symmetric(2, 2), c.padding());
        assertTrue(c.bias() != null, "bias defaults to True");
        Pool2d p = (Pool2d) m.layers().get(2);
        assertEquals(List.of(2, 2, 2, 2), List.of(p.kernelH(), p.kernelW(), p.strideH(), p.strideW()), "stride defaults to the kernel");
        assertEquals("11", m.layers().get(11).name());
        assertEquals(Activation.Function.SOFTMAX, ((Activation) m.layers().get(12)).function());
    }

    @Test
    void acceptsTheWaysUsersWriteIt() {
        String[] texts = {
            "nn.Sequential(nn.Conv2d(1, 6, 5, 1, 2), nn.Tanh(), nn.AvgPool2d(2), nn.Flatten(), nn.Linear(1176, 10))",
            "torch.nn.Sequential(\n  torch.nn.Conv2d(in_channels=1, out_channels=6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2), bias=True),\n"
                + "  torch.nn.Tanh(),\n  torch.nn.AvgPool2d(kernel_size=2, stride=2, padding=0),  # pooling\n  torch.nn.Flatten(start_dim=1),\n"
                + "  torch.nn.Linear(in_features=1176, out_features=10),\n)",
            "Sequential(Conv2d(1, 6, kernel_size=5, padding='same'), Tanh(), AvgPool2d(kernel_size=[2, 2]), Flatten(), Linear(1176, 10,))",
            // sizes as the model's source computes them, evaluated as Python does
            "nn.Sequential(nn.Conv2d(1, 2 * 3, 5, 1, 5 // 2), nn.Tanh(), nn.AvgPool2d(2), nn.Flatten(), nn.Linear(6 * 14 * 14, 20 - 2 * 5))",
            "nn.Sequential(nn.Conv2d(1, 6, 5, 1, padding=(-9 // 2 + 7, 4 - 2)), nn.Tanh(), nn.AvgPool2d(2), nn.Flatten(), "
                + "nn.Linear(in_features=6*(28//2)*14, out_features=10))",
        };
        String first = null;
        for (String t : texts) {
            Sequential m = TorchSyntax.parse(t, MNIST);
            String d = describe(m);
            first = first == null ? d : first;
            assertEquals(first, d, t);
        }
    }

    @Test
    void readsOptionsThatChangeTheComputation() {
        Sequential m = TorchSyntax.parse("Sequential(ZeroPad2d((1, 2, 3, 4)), Conv2d(1, 2, (3, 5), stride=(2, 1), padding='valid', bias=False), "
                + "MaxPool2d(3, stride=2, padding=1, ceil_mode=True), AvgPool2d(2, padding=1, count_include_pad=False), Identity(), "
                + "Dropout(p=0.25), Flatten(), BatchNorm1d(18, eps=0.001), Linear(18, 3), Softmax(dim=-1))", Shape.chw(1, 10, 9));
        assertEquals(new Padding(3, 4, 1, 2), ((ZeroPad2d) m.layers().get(0)).padding());
        Conv2d c = (Conv2d) m.layers().get(1);
        assertEquals(null, c.bias());
        assertEquals(List.of(3, 5, 2, 1), List.of(c.kernelH(), c.kernelW(), c.strideH(), c.strideW()));
        Pool2d max = (Pool2d) m.layers().get(2);
        assertTrue(max.ceilMode() && max.kind() == Pool2d.Kind.MAX && max.padding().equals(Padding.symmetric(1, 1)));
        assertTrue(!((Pool2d) m.layers().get(3)).countIncludePad());
        assertEquals(Activation.Function.LINEAR, ((Activation) m.layers().get(4)).function());
        assertEquals(0.001, ((lenet5.layers.BatchNorm) m.layers().get(7)).epsilon());
        Sequential same = TorchSyntax.parse("Sequential(Conv2d(1, 1, 4, padding='same'))", Shape.chw(1, 8, 8));
        assertEquals(new Padding(1, 2, 1, 2), ((Conv2d) same.layers().get(0)).padding(), "PyTorch puts the odd pixel last");
    }

    @Test
    void nestedSequentialsAreFlattenedWithDottedNames() {
        Sequential m = TorchSyntax.parse("Sequential(Sequential(Conv2d(1, 2, 3), ReLU()), Sequential(Flatten(), Linear(8, 2)))",
                Shape.chw(1, 4, 4));
        assertEquals(List.of("0.0", "0.1", "1.0", "1.1"), m.layers().stream().map(Layer::name).toList());
    }

    @Test
    void infersTheInputShapeFromTheFirstLinearAfterFlatten() {
        assertEquals(MNIST, TorchSyntax.parse(StateDicts.TUTORIAL, null).inputShape());
        assertEquals(Shape.chw(1, 32, 32), TorchSyntax.parse("Sequential(Conv2d(1, 6, 5), Tanh(), AvgPool2d(2), Conv2d(6, 16, 5), Tanh(), "
                + "AvgPool2d(2), Flatten(), Linear(400, 120))", null).inputShape());
        assertEquals(Shape.flat(784), TorchSyntax.parse("Sequential(Flatten(), Linear(784, 10))", null).inputShape());
        var e = assertThrows(ArchitectureMismatchException.class, () -> TorchSyntax.parse("Sequential(Conv2d(1, 6, 5), ReLU())", null));
        assertTrue(e.getMessage().contains("--input-shape"), e.getMessage());
        // a model that starts by pooling: its input is a map, not the Linear's flat features (was "pooling needs a feature map, got 196")
        for (String first : List.of("MaxPool2d(2)", "AvgPool2d(3, stride=2, padding=1)", "ZeroPad2d(1)", "AdaptiveAvgPool2d(14)")) {
            var p = assertThrows(ArchitectureMismatchException.class,
                    () -> TorchSyntax.parse("Sequential(" + first + ", ReLU(), Flatten(), Linear(196, 10))", null), first);
            assertTrue(p.getMessage().contains("--input-shape"), p.getMessage());
        }
        assertEquals(Shape.chw(1, 28, 28), TorchSyntax.parse("Sequential(MaxPool2d(2), Flatten(), Linear(196, 10))", MNIST).inputShape());
    }

    @Test
    void errorsSayWhatAndWhere() {
        assertMessage(ArchitectureMismatchException.class, "Sequential(Conv2d(1, 6)", "expected");
        assertMessage(ArchitectureMismatchException.class, "Sequential(Conv2d(1, 6, 5, foo=1))", "no argument 'foo'");
        assertMessage(ArchitectureMismatchException.class, "Sequential(Conv2d(1, 6))", "needs kernel_size");
        assertMessage(ArchitectureMismatchException.class, "Sequential(Tanh)", "add parentheses");
        assertMessage(ArchitectureMismatchException.class, "Sequential(Linear(in_features=3, 4))", "positional argument after keyword");
        assertMessage(ArchitectureMismatchException.class, "Sequential(Conv2d(1, 6, 5, padding=x))", "must be a constant");
        assertMessage(ArchitectureMismatchException.class, "Sequential(Flatten(), Linear(16 * n, 10))", "on a non-number");
        assertMessage(ArchitectureMismatchException.class, "Sequential(Flatten(), Linear(784 // 0, 10))", "division by zero");
        assertMessage(ArchitectureMismatchException.class, "Sequential(Flatten(), Linear(2 ** 3, 10))", "expected");
        assertMessage(ArchitectureMismatchException.class, "Sequential(Flatten(), Linear(9223372036854775807 * 2, 10))", "overflow");
        assertMessage(ArchitectureMismatchException.class, "Sequential(foo.Conv2d(1, 6, 5))", "not a torch.nn module");
        assertMessage(ArchitectureMismatchException.class, "", "empty");
        assertMessage(UnsupportedFormatException.class, "Sequential(LSTM(10, 10))", "LSTM");
        assertMessage(UnsupportedFormatException.class, "Sequential(Conv2d(1, 6, 5, dilation=2))", "dilation");
        assertMessage(UnsupportedFormatException.class, "Sequential(Conv2d(2, 6, 5, groups=2))", "groups=2");
        assertMessage(UnsupportedFormatException.class, "Sequential(Conv2d(1, 6, 5, padding_mode='reflect'))", "padding_mode='reflect'");
        assertMessage(UnsupportedFormatException.class, "Sequential(Flatten(), Linear(784, 10), Softmax(dim=0))", "dim=0");
        assertMessage(ArchitectureMismatchException.class, "Sequential(Conv2d(1, 6, 5), Linear(6, 10))", "Flatten");
        assertMessage(ArchitectureMismatchException.class, "Sequential(Conv2d(1, 6, 5), Flatten(), Linear(7, 10))", "expects 7 input features");
        assertMessage(ArchitectureMismatchException.class, "Sequential(Conv2d(1, 4, 28), Linear(4, 2))", "last axis");
        assertMessage(ArchitectureMismatchException.class, "Sequential(" + "(".repeat(500) + "1" + ")".repeat(500) + ")", "nested");
    }

    private static void assertMessage(Class<? extends RuntimeException> type, String text, String words) {
        RuntimeException e = assertThrows(RuntimeException.class, () -> TorchSyntax.parse(text, MNIST));
        assertInstanceOf(type, e, e.toString());
        assertTrue(e.getMessage().contains(words), "'" + words + "' in: " + e.getMessage());
    }

    @Test
    void formatsWhatPyTorchEvaluates() {
        Sequential m = TorchSyntax.parse(StateDicts.TUTORIAL, MNIST);
        assertEquals("torch.nn.Sequential(torch.nn.Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2)), torch.nn.Tanh(), "
                + "torch.nn.AvgPool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0)), "
                + "torch.nn.Conv2d(6, 16, kernel_size=(5, 5), stride=(1, 1), padding=(0, 0)), torch.nn.Tanh(), "
                + "torch.nn.AvgPool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0)), "
                + "torch.nn.Conv2d(16, 120, kernel_size=(5, 5), stride=(1, 1), padding=(0, 0)), torch.nn.Tanh(), torch.nn.Flatten(), "
                + "torch.nn.Linear(120, 84), torch.nn.Tanh(), torch.nn.Linear(84, 10), torch.nn.Softmax(dim=1))", TorchSyntax.format(m));
        assertEquals(describe(m), describe(TorchSyntax.parse(TorchSyntax.format(m), MNIST)), "format then parse is the identity");
    }

    @Test
    void formatInsertsModulesWherePyTorchNeedsThem() {
        Shape in = Shape.chw(1, 6, 6);
        Sequential asym = new Sequential(in, List.of(Conv2d.of("c", 1, 2, 3, 3, 2, 2, new Padding(0, 1, 0, 1), true),
                new lenet5.layers.Flatten("f"), Dense.of("d", 18, 2, false)), null);
        assertEquals("torch.nn.Sequential(torch.nn.ZeroPad2d((0, 1, 0, 1)), torch.nn.Conv2d(1, 2, kernel_size=(3, 3), stride=(2, 2), "
                + "padding=(0, 0)), torch.nn.Flatten(), torch.nn.Linear(18, 2, bias=False))", TorchSyntax.format(asym));
        Sequential denseOnMap = new Sequential(in, List.of(Conv2d.of("c", 1, 4, 6, 6, 1, 1, Padding.NONE, true), Dense.of("d", 4, 2, true)), null);
        assertTrue(TorchSyntax.format(denseOnMap).endsWith("torch.nn.Flatten(), torch.nn.Linear(4, 2))"), TorchSyntax.format(denseOnMap));
        // TF 'same' pooling (zeros at the bottom/right that do not count) is PyTorch's ceil_mode.
        Sequential tfSame = new Sequential(Shape.chw(1, 5, 5), List.of(new Pool2d("p", Pool2d.Kind.AVG, 2, 2, 2, 2,
                new Padding(0, 1, 0, 1), false, false)), null);
        assertEquals("torch.nn.Sequential(torch.nn.AvgPool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0), ceil_mode=True))",
                TorchSyntax.format(tfSame));
        Sequential exclude = new Sequential(Shape.chw(1, 5, 5), List.of(new Pool2d("p", Pool2d.Kind.AVG, 3, 3, 1, 1,
                Padding.symmetric(1, 1), false, false)), null);
        assertTrue(TorchSyntax.format(exclude).contains("count_include_pad=False"));
        Sequential maxAsym = new Sequential(Shape.chw(1, 5, 5), List.of(new Pool2d("p", Pool2d.Kind.MAX, 2, 2, 1, 1,
                new Padding(1, 0, 1, 0), true, false)), null);
        var e = assertThrows(UnrepresentableModelException.class, () -> TorchSyntax.format(maxAsym));
        assertTrue(e.getMessage().contains("symmetrically"), e.getMessage());
    }

    static String describe(Sequential m) {
        StringBuilder sb = new StringBuilder(m.inputShape().toString());
        for (Layer l : m.layers()) {
            sb.append(" | ").append(l.describe());
        }
        return sb.toString();
    }
}
