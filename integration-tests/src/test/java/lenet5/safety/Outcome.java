package lenet5.safety;

import lenet5.Lenet5Exception;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * What happened when a file went through the public API. The promise allows exactly two good
 * outcomes: the model loaded (and predicted), or one {@link Lenet5Exception} refused it.
 * Everything else, any other throwable or a run past the time bound, breaks the promise.
 */
record Outcome(Verdict verdict, Throwable error, long nanos, String detail) {
    enum Verdict { LOADED, REFUSED, CRASHED, TIMED_OUT }

    static Outcome of(Throwable error, long nanos) {
        if (error == null) {
            return new Outcome(Verdict.LOADED, null, nanos, "");
        }
        return new Outcome(error instanceof Lenet5Exception ? Verdict.REFUSED : Verdict.CRASHED, error, nanos, "");
    }

    static Outcome timedOut(long nanos, String detail) {
        return new Outcome(Verdict.TIMED_OUT, null, nanos, detail);
    }

    /** The same outcome with a stack trace obtained elsewhere (see {@link FreshJvm}) for an error that came without one. */
    Outcome withDetail(String trace) {
        return new Outcome(verdict, error, nanos, trace);
    }

    boolean keepsPromise() {
        return verdict == Verdict.LOADED || verdict == Verdict.REFUSED;
    }

    /** For tallies: "loaded", the refusing exception's simple name, or the crash's class name. */
    String label() {
        return switch (verdict) {
            case LOADED -> "loaded";
            case REFUSED -> error.getClass().getSimpleName();
            case CRASHED -> "CRASH " + error.getClass().getName();
            case TIMED_OUT -> "TIMEOUT";
        };
    }

    /** What identifies the same bug across cases: the throwable's type and the first frame in this project (or the top frame). */
    String signature() {
        if (verdict == Verdict.TIMED_OUT) {
            return "TIMEOUT " + detail;
        }
        if (error == null) {
            return label();
        }
        StackTraceElement where = null;
        for (StackTraceElement e : error.getStackTrace()) {
            if (e.getClassName().startsWith("lenet5.") && !e.getClassName().startsWith("lenet5.safety.")) {
                where = e;
                break;
            }
        }
        if (where == null && error.getStackTrace().length > 0) {
            where = error.getStackTrace()[0];
        }
        if (where == null && !detail.isEmpty()) {
            // A bare error, traced in a fresh JVM: the first project frame of that trace.
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\tat (lenet5\\.(?!safety\\.)\\S+)").matcher(detail);
            return error.getClass().getName() + (m.find() ? " at " + m.group(1) + " (traced in a fresh JVM)" : "");
        }
        return error.getClass().getName() + (where == null ? "" : " at " + where);
    }

    String stackTrace() {
        if (error == null || (error.getStackTrace().length == 0 && !detail.isEmpty())) {
            return detail;
        }
        StringWriter w = new StringWriter();
        error.printStackTrace(new PrintWriter(w));
        return w.toString();
    }

    @Override
    public String toString() {
        return label() + String.format(" in %.1f ms", nanos / 1e6)
                + (error == null ? (detail.isEmpty() ? "" : ": " + detail) : ": " + error.getMessage());
    }
}
