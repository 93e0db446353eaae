package lenet5.safety;

import java.util.ArrayList;
import java.util.List;

/**
 * Walks a pickle's opcodes without executing anything, to find where each opcode and each
 * length field sits in a file (the fuzzer truncates at opcodes and corrupts lengths). Knows
 * every opcode of protocols 0 to 5; stops at STOP or at the first byte it cannot parse.
 */
final class PickleOps {
    /** One opcode: where it starts, its byte, and its length argument if it has one. */
    record Op(int offset, int code, int lengthOffset, int lengthWidth) {
    }

    /** The opcodes from {@code start} up to and including STOP, and the offset after STOP (or -1 when STOP was not reached). */
    record Walk(List<Op> ops, int end) {
    }

    /** Opcodes without argument that leave the stream aligned when swapped for each other. */
    static final byte[] NO_ARG = bytes("(.0120N\u0088\u0089)t\u0085\u0086\u0087]ael}dsu\u008f\u0090\u0091\u0081\u0092\u0093\u0094RbQo");

    private PickleOps() {
    }

    static Walk walk(byte[] b, int start) {
        List<Op> ops = new ArrayList<>();
        int p = start;
        while (p >= 0 && p < b.length) {
            int code = b[p] & 0xff;
            int q = p + 1;
            int lenOff = -1, lenWidth = 0;
            switch (code) {
                case 0x80, 'K', 'q', 'h', 0x82 -> q += 1;                          // PROTO BININT1 BINPUT BINGET EXT1
                case 'M', 0x83 -> q += 2;                                          // BININT2 EXT2
                case 'J', 'r', 'j', 0x84 -> q += 4;                                // BININT LONG_BINPUT LONG_BINGET EXT4
                case 'G', 0x95 -> q += 8;                                          // BINFLOAT FRAME
                case 0x8a, 0x8c, 'U', 'C' -> {                                     // LONG1 SHORT_BINUNICODE SHORT_BINSTRING SHORT_BINBYTES
                    lenOff = q;
                    lenWidth = 1;
                    q += 1 + (q < b.length ? b[q] & 0xff : 0);
                }
                case 0x8b, 'X', 'T', 'B' -> {                                      // LONG4 BINUNICODE BINSTRING BINBYTES
                    lenOff = q;
                    lenWidth = 4;
                    long n = le(b, q, 4);
                    q = n < 0 || q + 4 + n > b.length ? -1 : (int) (q + 4 + n);
                }
                case 0x8d, 0x8e, 0x96 -> {                                         // BINUNICODE8 BINBYTES8 BYTEARRAY8
                    lenOff = q;
                    lenWidth = 8;
                    long n = le(b, q, 8);
                    q = n < 0 || q + 8 + n > b.length ? -1 : (int) (q + 8 + n);
                }
                case 'c', 'i' -> q = line(b, line(b, q));                          // GLOBAL INST: two lines
                case 'I', 'L', 'F', 'S', 'V', 'p', 'g', 'P' -> q = line(b, q);     // text forms: one line
                default -> {
                    if (!isNoArg(code)) {
                        return new Walk(ops, -1);
                    }
                }
            }
            if (q < 0 || q > b.length) {
                return new Walk(ops, -1);
            }
            ops.add(new Op(p, code, lenOff, lenWidth));
            if (code == '.') {
                return new Walk(ops, q);
            }
            p = q;
        }
        return new Walk(ops, -1);
    }

    static boolean isNoArg(int code) {
        for (byte x : NO_ARG) {
            if ((x & 0xff) == code) {
                return true;
            }
        }
        return code == 0x97 || code == 0x98; // NEXT_BUFFER READONLY_BUFFER
    }

    private static int line(byte[] b, int from) {
        if (from < 0) {
            return -1;
        }
        for (int i = from; i < b.length; i++) {
            if (b[i] == '\n') {
                return i + 1;
            }
        }
        return -1;
    }

    static long le(byte[] b, int off, int width) {
        if (off < 0 || off + width > b.length) {
            return -1;
        }
        long v = 0;
        for (int i = width - 1; i >= 0; i--) {
            v = (v << 8) | (b[off + i] & 0xff);
        }
        return v;
    }

    private static byte[] bytes(String s) {
        byte[] b = new byte[s.length()];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) s.charAt(i);
        }
        return b;
    }
}
