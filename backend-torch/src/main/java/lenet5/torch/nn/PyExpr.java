package lenet5.torch.nn;

import lenet5.torch.pickle.PyNone;
import lenet5.torch.pickle.PyTuple;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parser for the small part of Python expression syntax that architecture texts
 * ({@code Sequential(Conv2d(1, 6, kernel_size=5), ...)}) and TorchScript code constants use:
 * literals (int, float, str, True/False/None), names with dots, calls with positional and
 * keyword arguments, tuples, lists, subscripts, unary minus, and {@code + - * //} on number literals,
 * which are folded as Python computes them ({@code Linear(16 * 5 * 5, 120)}). Nothing else is evaluated. Errors are
 * {@link IllegalArgumentException}s with the position; callers turn them into their own
 * exceptions.
 */
public final class PyExpr {
    private static final int MAX_DEPTH = 100;

    /** A parsed expression. */
    public sealed interface Node permits Lit, Name, Call, Seq, Subscript {
    }

    /** A literal: Long, Double, String, Boolean or {@link PyNone}. */
    public record Lit(Object value) implements Node {
    }

    /** A possibly dotted name such as {@code torch.nn.Conv2d} or {@code self.weight}. */
    public record Name(String dotted) implements Node {
    }

    /** {@code callee(args, name=value)}; {@code callee} is the dotted name, or null when the callee is not a plain name. */
    public record Call(String callee, List<Node> args, Map<String, Node> kwargs) implements Node {
    }

    /** A tuple or list display. */
    public record Seq(List<Node> items, boolean tuple) implements Node {
    }

    /** {@code value[index]}, kept only so that type annotations such as {@code List[int]} parse. */
    public record Subscript(Node value, Node index) implements Node {
    }

    private final String src;
    private int pos;
    private int depth;

    private PyExpr(String src, int pos) {
        this.src = src;
        this.pos = pos;
    }

    /** Parses one whole expression; trailing text is an error. */
    public static Node parse(String text) {
        PyExpr p = new PyExpr(text, 0);
        Node n = p.expr();
        p.skipSpace();
        if (p.pos != text.length()) {
            throw p.error("unexpected text");
        }
        return n;
    }

    /** Parses the argument list of a call whose {@code (} is at {@code openParen}. */
    public static Call parseCallAt(String text, String callee, int openParen) {
        PyExpr p = new PyExpr(text, openParen);
        p.expect('(');
        return p.callArgs(callee);
    }

    /** The Python value of a literal, tuple or list node (tuples become {@link PyTuple}, lists {@link List}), or null if it is not constant. */
    public static Object constant(Node n) {
        if (n instanceof Lit l) {
            return l.value();
        }
        if (n instanceof Seq s) {
            List<Object> items = new ArrayList<>();
            for (Node item : s.items()) {
                Object v = constant(item);
                if (v == null) {
                    return null;
                }
                items.add(v);
            }
            return s.tuple() ? new PyTuple(items) : items;
        }
        return null;
    }

    private Node expr() {
        if (++depth > MAX_DEPTH) {
            throw error("nested more than " + MAX_DEPTH + " levels");
        }
        try {
            Node left = term();
            while (true) {
                skipSpace();
                char c = peek();
                if (c != '+' && c != '-') {
                    return left;
                }
                pos++;
                left = arithmetic(left, String.valueOf(c), term());
            }
        } finally {
            depth--;
        }
    }

    /** Products and floor quotients: {@code 16 * 5 * 5}, {@code 120 // 2}. */
    private Node term() {
        Node left = unary();
        while (true) {
            skipSpace();
            String op = src.startsWith("//", pos) ? "//" : peek() == '*' && !src.startsWith("**", pos) ? "*" : null;
            if (op == null) {
                return left;
            }
            pos += op.length();
            left = arithmetic(left, op, unary());
        }
    }

    private Node unary() {
        skipSpace();
        if (peek() == '-' || peek() == '+') {
            boolean neg = src.charAt(pos++) == '-';
            if (++depth > MAX_DEPTH) {
                throw error("nested more than " + MAX_DEPTH + " levels");
            }
            Node inner;
            try {
                inner = unary();
            } finally {
                depth--;
            }
            if (inner instanceof Lit l && l.value() instanceof Long v) {
                return new Lit(neg ? -v : v);
            }
            if (inner instanceof Lit l && l.value() instanceof Double v) {
                return new Lit(neg ? -v : v);
            }
            throw error("unary minus on a non-number");
        }
        return postfix();
    }

    /**
     * Folds arithmetic on two numeric literals the way Python computes it, so that sizes written
     * as in a model's source ({@code Linear(16 * 5 * 5, 120)}) are constants; anything else is an error.
     */
    private Node arithmetic(Node left, String op, Node right) {
        if (!(left instanceof Lit a) || !(right instanceof Lit b) || !(a.value() instanceof Long || a.value() instanceof Double)
                || !(b.value() instanceof Long || b.value() instanceof Double)) {
            throw error("'" + op + "' on a non-number (only arithmetic on number literals is evaluated)");
        }
        if (a.value() instanceof Long x && b.value() instanceof Long y) {
            try {
                return new Lit(switch (op) {
                    case "+" -> Math.addExact(x, y);
                    case "-" -> Math.subtractExact(x, y);
                    case "*" -> Math.multiplyExact(x, y);
                    default -> {
                        if (y == 0) {
                            throw error("integer division by zero");
                        }
                        yield Math.floorDiv(x, y);
                    }
                });
            } catch (ArithmeticException e) {
                throw error("integer overflow");
            }
        }
        double x = ((Number) a.value()).doubleValue(), y = ((Number) b.value()).doubleValue();
        return new Lit(switch (op) {
            case "+" -> x + y;
            case "-" -> x - y;
            case "*" -> x * y;
            default -> {
                if (y == 0) {
                    throw error("float floor division by zero");
                }
                yield Math.floor(x / y);
            }
        });
    }

    /** An atom followed by attribute accesses, calls and subscripts. */
    private Node postfix() {
        Node n = atom();
        while (true) {
            skipSpace();
            char c = peek();
            if (c == '.') {
                pos++;
                String attr = identifier();
                n = new Name((n instanceof Name nm ? nm.dotted() : "(...)") + "." + attr);
            } else if (c == '(') {
                pos++;
                n = callArgs(n instanceof Name nm ? nm.dotted() : null);
            } else if (c == '[') {
                pos++;
                Node index = expr();
                expect(']');
                n = new Subscript(n, index);
            } else {
                return n;
            }
        }
    }

    private Node atom() {
        skipSpace();
        char c = peek();
        if (c == '(' || c == '[') {
            pos++;
            char close = c == '(' ? ')' : ']';
            List<Node> items = new ArrayList<>();
            boolean comma = false;
            skipSpace();
            while (peek() != close) {
                items.add(expr());
                skipSpace();
                if (peek() == ',') {
                    pos++;
                    comma = true;
                    skipSpace();
                } else if (peek() != close) {
                    throw error("expected ',' or '" + close + "'");
                }
            }
            pos++;
            if (c == '(' && items.size() == 1 && !comma) {
                return items.get(0); // parentheses, not a tuple
            }
            return new Seq(items, c == '(');
        }
        if (c == '\'' || c == '"') {
            return new Lit(string());
        }
        if (Character.isDigit(c) || (c == '.' && pos + 1 < src.length() && Character.isDigit(src.charAt(pos + 1)))) {
            return number();
        }
        if (Character.isLetter(c) || c == '_') {
            String id = identifier();
            return switch (id) {
                case "True" -> new Lit(Boolean.TRUE);
                case "False" -> new Lit(Boolean.FALSE);
                case "None" -> new Lit(PyNone.NONE);
                default -> new Name(id);
            };
        }
        throw error(pos >= src.length() ? "unexpected end of text" : "unexpected '" + c + "'");
    }

    private Call callArgs(String callee) {
        List<Node> args = new ArrayList<>();
        Map<String, Node> kwargs = new LinkedHashMap<>();
        skipSpace();
        while (peek() != ')') {
            int save = pos;
            String kw = null;
            if (Character.isLetter(peek()) || peek() == '_') {
                String id = identifier();
                skipSpace();
                if (peek() == '=' && (pos + 1 >= src.length() || src.charAt(pos + 1) != '=')) {
                    pos++;
                    kw = id;
                } else {
                    pos = save;
                }
            }
            Node value = expr();
            if (kw != null) {
                if (kwargs.put(kw, value) != null) {
                    throw error("keyword argument '" + kw + "' given twice");
                }
            } else {
                if (!kwargs.isEmpty()) {
                    throw error("positional argument after keyword arguments");
                }
                args.add(value);
            }
            skipSpace();
            if (peek() == ',') {
                pos++;
                skipSpace();
            } else if (peek() != ')') {
                throw error("expected ',' or ')'");
            }
        }
        pos++;
        return new Call(callee, args, kwargs);
    }

    private String identifier() {
        skipSpace();
        int start = pos;
        while (pos < src.length() && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
            pos++;
        }
        if (start == pos) {
            throw error("expected a name");
        }
        return src.substring(start, pos);
    }

    private Node number() {
        int start = pos;
        boolean isFloat = false;
        while (pos < src.length()) {
            char c = src.charAt(pos);
            if (Character.isDigit(c) || c == '_') {
                pos++;
            } else if (c == '.' || c == 'e' || c == 'E') {
                isFloat = true;
                pos++;
                if ((c == 'e' || c == 'E') && pos < src.length() && (src.charAt(pos) == '-' || src.charAt(pos) == '+')) {
                    pos++;
                }
            } else {
                break;
            }
        }
        String text = src.substring(start, pos).replace("_", "");
        try {
            return isFloat ? new Lit(Double.parseDouble(text)) : new Lit(Long.parseLong(text));
        } catch (NumberFormatException e) {
            throw error("bad number '" + text + "'");
        }
    }

    private String string() {
        char q = src.charAt(pos++);
        StringBuilder sb = new StringBuilder();
        while (pos < src.length() && src.charAt(pos) != q) {
            char c = src.charAt(pos++);
            if (c == '\\' && pos < src.length()) {
                char e = src.charAt(pos++);
                sb.append(switch (e) {
                    case 'n' -> '\n';
                    case 't' -> '\t';
                    default -> e;
                });
            } else {
                sb.append(c);
            }
        }
        if (pos >= src.length()) {
            throw error("unterminated string");
        }
        pos++;
        return sb.toString();
    }

    private void expect(char c) {
        skipSpace();
        if (peek() != c) {
            throw error("expected '" + c + "'");
        }
        pos++;
    }

    private char peek() {
        return pos < src.length() ? src.charAt(pos) : '\0';
    }

    private void skipSpace() {
        while (pos < src.length()) {
            char c = src.charAt(pos);
            if (c == '#') {
                while (pos < src.length() && src.charAt(pos) != '\n') {
                    pos++;
                }
            } else if (Character.isWhitespace(c) || c == '\\') {
                pos++;
            } else {
                break;
            }
        }
    }

    private IllegalArgumentException error(String message) {
        int from = Math.max(0, pos - 20);
        int to = Math.min(src.length(), pos + 20);
        return new IllegalArgumentException(message + " at character " + pos + ": ..." + src.substring(from, to) + "...");
    }
}
