package lenet5.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes pickle opcodes by hand, so tests can build the exact (hostile) byte streams they need.
 * The one pickle builder of the test suites; {@link TorchFiles} puts its pickles into .pt files.
 */
public final class Pickle {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** An empty stream, for bytes that do not start with PROTO. */
    public static Pickle empty() {
        return new Pickle();
    }

    public static Pickle proto(int protocol) {
        Pickle p = new Pickle();
        p.out.write(0x80);
        p.out.write(protocol);
        return p;
    }

    /** Opcodes without argument, given as their characters, e.g. {@code "(t"} for MARK TUPLE. */
    public Pickle ops(String codes) {
        for (char c : codes.toCharArray()) {
            out.write(c);
        }
        return this;
    }

    /** Raw bytes: opcodes and their arguments, e.g. {@code op('K', 1)}. */
    public Pickle op(int... codes) {
        for (int c : codes) {
            out.write(c);
        }
        return this;
    }

    public Pickle bytes(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    /** GLOBAL: {@code c module\nname\n}. */
    public Pickle global(String module, String name) {
        out.write('c');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /** Protocol 4: the two names as SHORT_BINUNICODE, then STACK_GLOBAL. */
    public Pickle stackGlobal(String module, String name) {
        return shortStr(module).shortStr(name).op(0x93);
    }

    /** INST (protocol 0): build an instance of {@code module.name} from the items since the last MARK. */
    public Pickle inst(String module, String name) {
        out.write('i');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /** BINUNICODE. */
    public Pickle str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write('X');
        le(b.length, 4);
        out.writeBytes(b);
        return this;
    }

    public Pickle shortStr(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write(0x8c);
        out.write(b.length);
        out.writeBytes(b);
        return this;
    }

    /** The smallest integer opcode that holds {@code v}: BININT1, BININT2, BININT or LONG1. */
    public Pickle integer(long v) {
        if (v >= 0 && v < 256) {
            out.write('K');
            out.write((int) v);
        } else if (v >= 0 && v < 65536) {
            out.write('M');
            le(v, 2);
        } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            out.write('J');
            le(v, 4);
        } else {
            byte[] b = java.math.BigInteger.valueOf(v).toByteArray(); // big-endian two's complement
            out.write(0x8a);
            out.write(b.length);
            for (int i = b.length - 1; i >= 0; i--) {
                out.write(b[i]);
            }
        }
        return this;
    }

    /** A tuple of integers: MARK ints TUPLE. */
    public Pickle intTuple(long... values) {
        out.write('(');
        for (long v : values) {
            integer(v);
        }
        out.write('t');
        return this;
    }

    public Pickle longBinput(long index) {
        out.write('r');
        le(index, 4);
        return this;
    }

    public Pickle longBinget(long index) {
        out.write('j');
        le(index, 4);
        return this;
    }

    public Pickle le32(long v) {
        return le(v, 4);
    }

    public Pickle le64(long v) {
        return le(v, 8);
    }

    public Pickle le(long v, int width) {
        for (int i = 0; i < width; i++) {
            out.write((int) (v >>> (8 * i)));
        }
        return this;
    }

    /** Appends STOP and returns the stream. */
    public byte[] stop() {
        out.write('.');
        return out.toByteArray();
    }

    /** The stream so far, without STOP (for truncated pickles). */
    public byte[] unfinished() {
        return out.toByteArray();
    }
}
