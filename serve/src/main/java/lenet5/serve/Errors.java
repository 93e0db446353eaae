package lenet5.serve;

/** Client text echoed in an error message: quoted, capped, control characters escaped. */
final class Errors {
    private static final int MAX = 60;

    private Errors() {
    }

    static String quote(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder("'");
        for (int i = 0; i < Math.min(s.length(), MAX); i++) {
            char ch = s.charAt(i);
            sb.append(ch < 0x20 || ch == 0x7f ? String.format("\\u%04x", (int) ch) : String.valueOf(ch));
        }
        return sb.append(s.length() > MAX ? "...'" : "'").toString();
    }
}
