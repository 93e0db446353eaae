package lenet5.safety;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A results table that a test class fills and prints (and writes under target/) when it ends. */
final class Report {
    private final String title;
    private final List<String> rows = new ArrayList<>();

    Report(String title) {
        this.title = title;
    }

    synchronized void add(String what, Outcome o) {
        String msg = o.error() == null ? o.detail() : String.valueOf(o.error().getMessage());
        msg = Fuzzer.printable(msg);
        rows.add(String.format("| %s | %s | %.0f | %s |", what, o.label(), o.nanos() / 1e6,
                msg.length() > 160 ? msg.substring(0, 160) + "..." : msg));
    }

    synchronized void note(String what, String result) {
        rows.add(String.format("| %s | %s | | |", what, result.replace('\n', ' ')));
    }

    synchronized void print(String fileName) {
        StringBuilder sb = new StringBuilder(title).append("\n\n| case | outcome | ms | message |\n|---|---|---|---|\n");
        rows.forEach(r -> sb.append(r).append('\n'));
        System.out.println(sb);
        try {
            Path target = Fuzzer.MODULE.resolve("target");
            Files.createDirectories(target);
            Files.writeString(target.resolve(fileName), sb, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
