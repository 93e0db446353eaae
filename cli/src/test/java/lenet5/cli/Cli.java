package lenet5.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the command line in-process and keeps what it printed. */
record Cli(int exit, String out, String err) {
    static Cli run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        Cli r = new Cli(code, out.toString(), err.toString());
        System.out.println("$ lenet5 " + String.join(" ", args) + "\n" + r.out + r.err + "(exit " + code + ")");
        return r;
    }

    /** The value after {@code key: } on its own line, e.g. {@code max_abs_diff}. */
    double figure(String key) {
        for (String line : out.split("\n")) {
            if (line.startsWith(key + ": ")) {
                return Double.parseDouble(line.substring(key.length() + 2).trim().split("\\s")[0]);
            }
        }
        throw new AssertionError("no '" + key + ":' line in:\n" + out);
    }
}
