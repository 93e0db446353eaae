package lenet5;

import java.util.Collection;
import java.util.Iterator;
import java.util.function.Function;

/**
 * Text that came from a file, made safe to show or to write into generated code. File text is
 * data: in a message its control characters are escaped (so it cannot split a line, move the
 * cursor or retitle a terminal) and its length is capped; in generated Python or JSON it is
 * encoded as a literal, never spliced.
 */
public final class Text {
    /** Characters of one quoted item in a message. */
    public static final int MAX_ITEM = 120;
    /** Items of one list in a message; the rest are counted ("... and 99,980 more"). */
    public static final int MAX_ITEMS = 20;
    /** Characters of one error message. */
    public static final int MAX_MESSAGE = 2_000;

    private Text() {
    }

    /** {@code s} in single quotes, escaped and capped at {@link #MAX_ITEM} characters. */
    public static String quote(String s) {
        return "'" + escape(s, MAX_ITEM) + "'";
    }

    /**
     * {@code s} with every control or invisible formatting character as an escape ({@code \n},
     * {@code \x1b}, {@code \u202e}), cut after about {@code max} characters of output with "...". Idempotent:
     * backslashes stay as they are, so escaping twice changes nothing.
     */
    public static String escape(String s, int max) {
        if (s == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder(Math.min(s.length(), max) + 8);
        for (int i = 0; i < s.length(); i++) {
            if (sb.length() >= max) { // counted after escaping: the cap is on what is shown
                return sb.append("... (").append(String.format("%,d", s.length())).append(" characters)").toString();
            }
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    boolean pair = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
                    if (pair) {
                        sb.append(c).append(s.charAt(++i));
                    } else if (unsafe(c)) {
                        sb.append(c < 0x100 ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }

    /** A message made one line of bounded length: {@link #escape} at {@link #MAX_MESSAGE}. */
    public static String oneLine(String message) {
        return escape(message, MAX_MESSAGE);
    }

    /** At most {@link #MAX_ITEMS} items, each shown by {@code show}, then "... and N more". */
    public static <T> String list(Collection<? extends T> items, Function<? super T, String> show) {
        StringBuilder sb = new StringBuilder();
        Iterator<? extends T> it = items.iterator();
        for (int i = 0; i < MAX_ITEMS && it.hasNext(); i++) {
            sb.append(i == 0 ? "" : ", ").append(show.apply(it.next()));
        }
        int rest = items.size() - Math.min(items.size(), MAX_ITEMS);
        return rest == 0 ? sb.toString() : sb + String.format(" ... and %,d more", rest);
    }

    /**
     * A Python string literal that evaluates to exactly {@code s}: ASCII only, every quote,
     * backslash, control and non-ASCII character escaped, so no input can end the literal or
     * the line it is on.
     */
    public static String pythonString(String s) {
        StringBuilder sb = new StringBuilder("'");
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == '\\' || cp == '\'') {
                sb.append('\\').append((char) cp);
            } else if (cp >= 0x20 && cp < 0x7f) {
                sb.append((char) cp);
            } else if (cp < 0x100) {
                sb.append(String.format("\\x%02x", cp));
            } else if (cp < 0x10000) {
                sb.append(String.format("\\u%04x", cp));
            } else {
                sb.append(String.format("\\U%08x", cp));
            }
        }
        return sb.append('\'').toString();
    }

    /** C0 and C1 controls, DEL, lone surrogates, and the invisible characters that reorder or hide text (bidi overrides, zero-width, BOM, line/paragraph separators). */
    private static boolean unsafe(char c) {
        return c < 0x20 || (c >= 0x7f && c < 0xa0) || Character.isSurrogate(c) || Character.getType(c) == Character.FORMAT
                || c == '\u2028' || c == '\u2029';
    }
}
