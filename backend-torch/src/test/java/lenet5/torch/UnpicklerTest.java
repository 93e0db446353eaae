package lenet5.torch;

import lenet5.CorruptFileException;
import lenet5.testing.Pickle;
import lenet5.testing.RealTorch;
import lenet5.torch.pickle.PyBytes;
import lenet5.torch.pickle.PyDict;
import lenet5.torch.pickle.PyNone;
import lenet5.torch.pickle.PySet;
import lenet5.torch.pickle.PyTuple;
import lenet5.torch.pickle.TorchPickleEnv;
import lenet5.torch.pickle.Unpickler;
import lenet5.torch.storage.TensorReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pickle machine on every protocol CPython writes (0 to 5), and on hand-made opcode sequences. */
class UnpicklerTest {
    @TempDir
    Path tmp;

    static Object load(byte[] pickle) {
        return new Unpickler(Path.of("test.pkl"), "test", pickle, new TorchPickleEnv(Path.of("test.pkl"), "test", false)).load();
    }

    @Test
    void readsWhatCPythonWritesWithEveryProtocol() throws IOException {
        RealTorch.assumePython();
        RealTorch.run("pickle_protocols.py", List.of(tmp.toString()));
        for (int p = 0; p <= 5; p++) {
            String what = "protocol " + p;
            PyDict d = (PyDict) load(Files.readAllBytes(tmp.resolve("p" + p + ".pkl")));
            assertEquals(List.of(0L, 1L, 255L, 256L, 65535L, 65536L, -1L, (long) Integer.MIN_VALUE, 1L << 31,
                    BigInteger.ONE.shiftLeft(63), BigInteger.ONE.shiftLeft(70).negate()), d.get("int"), what);
            List<?> floats = (List<?>) d.get("float");
            assertEquals(2.5, floats.get(0), what);
            assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits((Double) floats.get(1)), what);
            assertEquals(1e-300, floats.get(2), what);
            assertEquals(List.of("", "ascii", "\u00fc\u00f1\u00ed \u20ac \ud83d\ude00", "x".repeat(300)), d.get("str"), what);
            assertArrayEquals(new byte[] {0, (byte) 0xff}, ((PyBytes) d.get("bytes")).data(), what);
            assertSame(PyNone.NONE, d.get("none"), what);
            assertEquals(PyTuple.of(true, false), d.get("bools"), what);
            assertEquals(PyTuple.of(PyTuple.EMPTY, PyTuple.of(1L), PyTuple.of(1L, 2L), PyTuple.of(1L, 2L, 3L), PyTuple.of(1L, 2L, 3L, 4L)),
                    d.get("tuples"), what);
            assertEquals(List.of(1L), ((PySet) d.get("set")).items(), what);
            assertTrue(((PySet) d.get("frozenset")).frozen(), what);
            PyDict od = (PyDict) d.get("od");
            assertTrue(od.ordered(), what);
            assertEquals(List.of("a", "b"), List.copyOf(od.map().keySet()), what);
            List<?> shared = (List<?>) d.get("shared");
            assertSame(shared.get(0), shared.get(1), what + ": the memo shares one object");
            assertEquals(List.of(List.of()), ((PyDict) ((PyDict) d.get("nested")).get("k")).get("k2"), what);
            if (p == 5) {
                assertArrayEquals(new byte[] {'a', 'b'}, ((PyBytes) d.get("bytearray")).data());
            }
        }
    }

    @Test
    void handMadeOpcodes() {
        // FRAME, MEMOIZE, STACK_GLOBAL, EMPTY_SET + ADDITEMS, NEWOBJ_EX with empty kwargs, POP, POP_MARK, DUP.
        byte[] p = Pickle.proto(4).op(0x95).le64(40).shortStr("collections").op(0x94).shortStr("OrderedDict").op(0x94).op(0x93)
                .op(')').op('}').op(0x92)
                .op('(').shortStr("s").op(0x8f).op('(').op('K', 3).op('K', 4).op(0x90)
                .shortStr("junk").op('0').op('(').op('N').op('N').op('1')
                .shortStr("dup").op('K', 9).op('2').op(0x86)
                .shortStr("memo").op('h', 0)
                .op('u').stop();
        PyDict d = (PyDict) load(p);
        assertTrue(d.ordered());
        assertEquals(List.of(3L, 4L), ((PySet) d.get("s")).items());
        assertEquals(PyTuple.of(9L, 9L), d.get("dup"));
        assertEquals("collections", d.get("memo"));
        assertEquals(List.of("s", "dup", "memo"), List.copyOf(d.map().keySet()));
    }

    @Test
    void stackMisuseIsCorrupt() {
        assertThrows(CorruptFileException.class, () -> load(Pickle.proto(2).op('t').stop()), "TUPLE without MARK");
        assertThrows(CorruptFileException.class, () -> load(Pickle.proto(2).op('R').stop()), "REDUCE on an empty stack");
        assertThrows(CorruptFileException.class, () -> load(Pickle.proto(2).op('(').op('N').stop()), "STOP inside a MARK");
        assertThrows(CorruptFileException.class, () -> load(Pickle.proto(2).op('K', 1).op('K', 1).op('s').stop()), "SETITEM on an int");
        assertThrows(CorruptFileException.class, () -> load(Pickle.proto(2).op('N').op(')').op('R').stop()), "calling None");
        assertThrows(CorruptFileException.class, () -> load(Pickle.proto(2).op(']').op('(').op('K', 1).op('u').stop()), "odd SETITEMS");
        var e = assertThrows(lenet5.UnsupportedFormatException.class, () -> load(Pickle.proto(6).op('N').stop()));
        assertTrue(e.getMessage().contains("protocol 6"), e.getMessage());
    }

    @Test
    void halfPrecisionWidensExactly() {
        assertEquals(1.0f, TensorReader.halfToFloat((short) 0x3c00));
        assertEquals(-2.0f, TensorReader.halfToFloat((short) 0xc000));
        assertEquals(65504f, TensorReader.halfToFloat((short) 0x7bff));
        assertEquals(0x1p-24f, TensorReader.halfToFloat((short) 0x0001), "smallest subnormal");
        assertEquals(Float.POSITIVE_INFINITY, TensorReader.halfToFloat((short) 0x7c00));
        assertTrue(Float.isNaN(TensorReader.halfToFloat((short) 0x7e00)));
        assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(TensorReader.halfToFloat((short) 0x8000)));
    }
}
