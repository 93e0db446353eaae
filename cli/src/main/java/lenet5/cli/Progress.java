package lenet5.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar on stderr for long runs, drawn only when stderr is a terminal (the
 * launcher tells, since Java cannot: LENET5_STDERR_TTY) and only after the first second, at most
 * ten times a second. Silent otherwise, so piped or logged output stays clean.
 */
final class Progress implements AutoCloseable {
    private final PrintStream err;
    private final int total;
    private final String unit;
    private final long start = System.nanoTime();
    private long lastDraw;
    private boolean drawn;

    private Progress(PrintStream err, int total, String unit) {
        this.err = err;
        this.total = total;
        this.unit = unit;
    }

    static Progress onTerminal(int total, String unit) {
        boolean tty = "1".equals(System.getenv("LENET5_STDERR_TTY"));
        return new Progress(tty ? System.err : null, total, unit);
    }

    void update(int done) {
        long now = System.nanoTime();
        if (err == null || now - start < 1_000_000_000L || now - lastDraw < 100_000_000L) {
            return;
        }
        lastDraw = now;
        int width = 30, filled = (int) ((long) width * done / Math.max(1, total));
        double rate = done / ((now - start) / 1e9);
        err.printf(Locale.ROOT, "\r[%s%s] %d/%d %s, %.0f/s ", "#".repeat(filled), " ".repeat(width - filled), done, total, unit, rate);
        err.flush();
        drawn = true;
    }

    @Override
    public void close() {
        if (drawn) {
            err.print("\r" + " ".repeat(72) + "\r");
            err.flush();
        }
    }
}
