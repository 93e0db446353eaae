package lenet5;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TextTest {
    @Test
    void controlCharactersAreEscapedIdempotently() {
        String evil = "a\nb\r\t\u0000\u001b[2J\u0007\u0085\u202e\u200bz\\n";
        String once = Text.escape(evil, 1000);
        assertEquals("a\\nb\\r\\t\\x00\\x1b[2J\\x07\\x85\\u202e\\u200bz\\n", once);
        assertEquals(once, Text.escape(once, 1000));
        assertEquals("'\uD83D\uDE00'", Text.quote("\uD83D\uDE00"), "a surrogate pair is a character, not a control");
        assertEquals("'\\ud83d'", Text.quote("\uD83D"), "a lone surrogate is escaped");
    }

    @Test
    void longTextAndListsAreCapped() {
        assertEquals("x".repeat(Text.MAX_ITEM) + "... (1,000,000 characters)", Text.escape("x".repeat(1_000_000), Text.MAX_ITEM));
        List<Integer> items = IntStream.range(0, 99_990).boxed().toList();
        String list = Text.list(items, String::valueOf);
        assertTrue(list.startsWith("0, 1, 2,") && list.endsWith("19 ... and 99,970 more"), list);
        assertEquals("", Text.list(Collections.emptyList(), String::valueOf));
    }

    @Test
    void exceptionMessagesAreOneBoundedLine() {
        Lenet5Exception e = new Lenet5Exception(Path.of("dir/a\nb.pt"), "bad name '" + "\n".repeat(10_000) + "'");
        assertTrue(e.getMessage().startsWith("dir/a\\nb.pt: bad name '\\n\\n"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
        assertTrue(e.getMessage().length() < 2 * Text.MAX_MESSAGE, e.getMessage().length() + " characters");
        assertEquals(e.getMessage().substring("dir/a\\nb.pt: ".length()), e.problem());
    }

    @Test
    void pythonStringsAreAsciiLiterals() {
        assertEquals("'a\\'b\\\\c\\x0ad\\x00\\xe9\\u20ac\\U0001f600'", Text.pythonString("a'b\\c\nd\u0000é€\uD83D\uDE00"));
    }
}
