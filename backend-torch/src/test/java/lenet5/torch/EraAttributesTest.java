package lenet5.torch;

import lenet5.CorruptFileException;
import lenet5.Lenet5;
import lenet5.Lenet5Exception;
import lenet5.UnsupportedFormatException;
import lenet5.model.Sequential;
import lenet5.testing.Pickle;
import lenet5.testing.TorchFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The attributes torch 0.4-1.x pickled on every module, and what this reader makes of them (real
 * files of that era: testdata's lenet5_relu_py2_torch13.pt and ../shared/wild's LeiGan0215 pkl,
 * checked against PyTorch's numbers elsewhere). Here: a Sequential holding one Tanh, with one
 * attribute changed at a time, so each check shows on its own.
 */
class EraAttributesTest {
    @TempDir
    Path tmp;

    /** Sequential(Tanh()) as torch 1.0 pickled it, with {@code extra} written into the Sequential's attribute dict. */
    private Path model(String name, Consumer<Pickle> extra) throws IOException {
        Pickle p = Pickle.proto(2).global("torch.nn.modules.container", "Sequential").ops(")").op(0x81).ops("}(");
        p.str("_backend").global("torch.nn.backends.thnn", "_get_thnn_function_backend").ops(")R");
        p.str("training").op(0x89);
        for (String d : new String[] {"_parameters", "_buffers", "_backward_hooks", "_forward_pre_hooks", "_state_dict_hooks",
                "_load_state_dict_pre_hooks"}) {
            p.str(d).global("collections", "OrderedDict").ops(")R");
        }
        extra.accept(p);
        p.str("_modules").global("collections", "OrderedDict").ops("](").str("0")
                .global("torch.nn.modules.activation", "Tanh").ops(")").op(0x81).ops("}(")
                .str("_backend").global("torch.nn.backends.thnn", "_get_thnn_function_backend").ops(")R")
                .str("_modules").global("collections", "OrderedDict").ops(")R")
                .ops("ub").op(0x86).ops("e").op(0x85).ops("R");
        p.ops("ub");
        Path f = tmp.resolve(name);
        Files.write(f, TorchFiles.zip(p.stop(), new float[0]));
        return f;
    }

    @Test
    void theBackendMarkerIsInertAndMissingAttributesTakeDefaults() throws IOException {
        Path f = model("era.pt", p -> p.str("_forward_hooks").global("collections", "OrderedDict").ops(")R"));
        Sequential m = Lenet5.load(f, lenet5.LoadOptions.DEFAULTS.withInputShape(lenet5.tensor.Shape.flat(3)));
        assertEquals(1, m.layers().size());
        assertEquals(1f, m.newPredictor(lenet5.layout.Layout.NCHW).predict(new float[] {100, 100, 100})[0], 1e-6f);
    }

    @Test
    void forwardHooksAreCodeTheFileDoesNotHold() throws IOException {
        Path f = model("hooks.pt", p -> p.str("_forward_hooks").global("collections", "OrderedDict").ops("](").integer(0).op('N')
                .op(0x86).ops("e").op(0x85).ops("R"));
        Lenet5Exception e = assertThrows(UnsupportedFormatException.class, () -> Lenet5.load(f));
        assertTrue(e.getMessage().contains("_forward_hooks holds 1 hook(s)"), e.getMessage());
    }

    @Test
    void bookkeepingAttributesMustHaveTheirTypes() throws IOException {
        Path f = model("hooktype.pt", p -> p.str("_forward_hooks").str("not a dict"));
        assertThrows(CorruptFileException.class, () -> Lenet5.load(f));
        Path g = model("backend.pt", p -> p.str("_backend").str("cudnn"));
        Lenet5Exception e = assertThrows(UnsupportedFormatException.class, () -> Lenet5.load(g));
        assertTrue(e.getMessage().contains("not the THNN backend marker"), e.getMessage());
    }
}
