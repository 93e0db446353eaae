package lenet5.torch.pickle;

import lenet5.Lenet5Exception;

import java.util.function.Function;

/** The escapes of protocol-0 text opcodes (STRING and UNICODE). Torch never writes these; they are here for completeness. */
final class TextEscapes {
    private TextEscapes() {
    }

    /** A quoted Python 2 str literal as STRING writes it: {@code 'abc\n'}. */
    static String pythonStringLiteral(String s, Function<String, Lenet5Exception> error) {
        if (s.length() < 2 || (s.charAt(0) != '\'' && s.charAt(0) != '"') || s.charAt(s.length() - 1) != s.charAt(0)) {
            throw error.apply("STRING argument is not a quoted literal");
        }
        String body = s.substring(1, s.length() - 1);
        StringBuilder out = new StringBuilder(body.length());
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c != '\\' || i + 1 == body.length()) {
                out.append(c);
                continue;
            }
            char e = body.charAt(++i);
            switch (e) {
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case '\\', '\'', '"' -> out.append(e);
                case 'x' -> {
                    out.append((char) hex(body, i + 1, 2, error));
                    i += 2;
                }
                default -> out.append('\\').append(e);
            }
        }
        return out.toString();
    }

    /** UNICODE's raw-unicode-escape: only {@code \\uXXXX} and {@code \\UXXXXXXXX} are escapes. */
    static String rawUnicodeEscape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length() && (s.charAt(i + 1) == 'u' || s.charAt(i + 1) == 'U')) {
                int n = s.charAt(i + 1) == 'u' ? 4 : 8;
                if (i + 2 + n <= s.length()) {
                    try {
                        out.appendCodePoint(Integer.parseInt(s.substring(i + 2, i + 2 + n), 16));
                        i += 1 + n;
                        continue;
                    } catch (IllegalArgumentException e) {
                        // not an escape after all: keep the text
                    }
                }
            }
            out.append(c);
        }
        return out.toString();
    }

    private static int hex(String s, int from, int n, Function<String, Lenet5Exception> error) {
        if (from + n > s.length()) {
            throw error.apply("STRING argument has a short \\x escape");
        }
        try {
            return Integer.parseInt(s.substring(from, from + n), 16);
        } catch (NumberFormatException e) {
            throw error.apply("STRING argument has a bad \\x escape");
        }
    }
}
