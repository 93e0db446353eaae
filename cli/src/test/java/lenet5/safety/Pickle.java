package lenet5.safety;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Writes pickle opcodes by hand, so tests can build the exact (hostile) byte streams they need. */
final class Pickle {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static Pickle proto(int protocol) {
        Pickle p = new Pickle();
        p.out.write(0x80);
        p.out.write(protocol);
        return p;
    }

    /** Opcodes without argument, given as their characters, e.g. {@code "(t"} for MARK TUPLE. */
    Pickle ops(String codes) {
        for (char c : codes.toCharArray()) {
            out.write(c);
        }
        return this;
    }

    Pickle op(int code) {
        out.write(code);
        return this;
    }

    Pickle bytes(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    /** GLOBAL: {@code c module\nname\n}. */
    Pickle global(String module, String name) {
        out.write('c');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /** Protocol 4: the two names as SHORT_BINUNICODE, then STACK_GLOBAL. */
    Pickle stackGlobal(String module, String name) {
        return shortStr(module).shortStr(name).op(0x93);
    }

    /** INST (protocol 0): build an instance of {@code module.name} from the items since the last MARK. */
    Pickle inst(String module, String name) {
        out.write('i');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /** BINUNICODE. */
    Pickle str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write('X');
        le(b.length, 4);
        out.writeBytes(b);
        return this;
    }

    Pickle shortStr(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write(0x8c);
        out.write(b.length);
        out.writeBytes(b);
        return this;
    }

    /** The smallest integer opcode that holds {@code v}: BININT1, BININT2, BININT or LONG1. */
    Pickle integer(long v) {
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
    Pickle intTuple(long... values) {
        out.write('(');
        for (long v : values) {
            integer(v);
        }
        out.write('t');
        return this;
    }

    Pickle longBinput(long index) {
        out.write('r');
        le(index, 4);
        return this;
    }

    Pickle longBinget(long index) {
        out.write('j');
        le(index, 4);
        return this;
    }

    Pickle le(long v, int width) {
        for (int i = 0; i < width; i++) {
            out.write((int) (v >>> (8 * i)));
        }
        return this;
    }

    /** Appends STOP and returns the stream. */
    byte[] stop() {
        out.write('.');
        return out.toByteArray();
    }

    /** The stream so far, without STOP (for truncated pickles). */
    byte[] unfinished() {
        return out.toByteArray();
    }
}
