package lenet5.safety;

import lenet5.layout.Layout;
import lenet5.Lenet5;
import lenet5.LoadOptions;
import lenet5.model.Predictor;
import lenet5.model.Sequential;
import lenet5.testing.Zips;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Runs mutation cases over one fixture through the public API ({@link Lenet5#load} then one
 * prediction on a zero input) and checks the promise for each: loaded or one lenet5 exception,
 * within the time bound, nothing written where it should not be. Case {@code <fixture>#<n>} is
 * always the same mutant (its seed is derived from the run seed, the fixture id and n).
 */
final class Fuzzer {
    static final long SEED = Long.getLong("lenet5.fuzz.seed", 20261126L);
    static final long TIMEOUT_MS = Long.getLong("lenet5.fuzz.timeoutMs", 2000L);
    static final Path MODULE = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
    static final Path FAILURES = MODULE.resolve("target/fuzz-failures");
    private static final Path WORK = MODULE.resolve("target/fuzz-work");
    private static final Path TMP = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().normalize();
    /** Leaked temporary files are only attributable when the JVM's temp dir is ours (the safety surefire execution sets it). */
    private static final boolean PRIVATE_TMP = TMP.startsWith(MODULE);

    /** A broken promise, first seen at {@code firstCase}. */
    record Crash(String signature, String firstCase, String description, String trace, Path saved, int count) {
        Crash again() {
            return new Crash(signature, firstCase, description, trace, saved, count + 1);
        }
    }

    /** What one fixture's cases did. */
    static final class Report {
        final String fixture;
        Outcome baseline;
        Outcome rewritten;
        int cases;
        long maxNanos;
        String slowest = "";
        final Map<String, Integer> outcomes = new TreeMap<>();
        final Map<String, Integer> kinds = new TreeMap<>();
        /** The first message seen for each outcome label, to show what the refusals say. */
        final Map<String, String> examples = new TreeMap<>();
        final Map<String, Crash> crashes = new LinkedHashMap<>();
        /** Crashes that are known bugs (see {@link KnownBugs}): listed, not failed on. */
        final Map<String, Crash> known = new LinkedHashMap<>();
        final List<String> diskProblems = new ArrayList<>();
        /** Refusals whose message is not one clean line: control characters, or longer than any capped message. */
        final List<String> messageProblems = new ArrayList<>();
        int unnamedRefusals;
        String unnamedExample = "";

        Report(String fixture) {
            this.fixture = fixture;
        }
    }

    private Fuzzer() {
    }

    static Report run(FuzzFixtures.Fixture f, int cases, Guard guard) throws IOException {
        Report report = new Report(f.id());
        byte[] original = Files.readAllBytes(f.file());
        List<Zips.Entry> entries = zipEntries(f.file());
        Mutator mutator = new Mutator(original, entries);
        Path dir = Files.createDirectories(WORK.resolve(f.id().replaceAll("[^A-Za-z0-9._-]", "_")));
        report.baseline = attempt(f, dir, "baseline-" + f.fileName(), original, guard);
        if (entries != null) {
            report.rewritten = attempt(f, dir, "rewritten-" + f.fileName(), Zips.write(entries), guard);
        }
        Set<String> tmpBefore = listing(TMP);
        for (int i = 0; i < cases && guard.abandoned() < 3; i++) {
            runCase(f, i, mutator, dir, guard, report, tmpBefore);
        }
        if (!Arrays.equals(original, Files.readAllBytes(f.file()))) {
            report.diskProblems.add("the fixture itself changed on disk: " + f.file());
        }
        return report;
    }

    /** Runs exactly one case, for reproducing a report line. */
    static Report runOne(FuzzFixtures.Fixture f, int index, Guard guard) throws IOException {
        Report report = new Report(f.id());
        byte[] original = Files.readAllBytes(f.file());
        Mutator mutator = new Mutator(original, zipEntries(f.file()));
        Path dir = Files.createDirectories(WORK.resolve("only"));
        runCase(f, index, mutator, dir, guard, report, listing(TMP));
        return report;
    }

    static Mutator.Mutant mutant(FuzzFixtures.Fixture f, Mutator mutator, int index) {
        long seed = SEED ^ (f.id().hashCode() * 0x9E3779B97F4A7C15L) ^ ((index + 1) * 0xBF58476D1CE4E5B9L);
        return mutator.mutate(new Random(seed));
    }

    private static void runCase(FuzzFixtures.Fixture f, int index, Mutator mutator, Path dir, Guard guard,
                                Report report, Set<String> tmpBefore) throws IOException {
        String caseId = f.id() + "#" + index;
        Mutator.Mutant m = mutant(f, mutator, index);
        String name = "c" + index + "-" + f.fileName();
        Path file = dir.resolve(name);
        Files.write(file, m.bytes());
        Outcome o = guard.run(() -> loadAndPredict(file, f.options()));
        if (o.error() instanceof OutOfMemoryError && o.error().getStackTrace().length == 0) {
            // The JVM throws a preallocated OutOfMemoryError without a stack when it is short of memory even
            // for the trace; once more after a GC, to find out where it came from.
            System.gc();
            Outcome again = guard.run(() -> loadAndPredict(file, f.options()));
            o = again.error() instanceof OutOfMemoryError && again.error().getStackTrace().length > 0 ? again : o;
            if (o.error().getStackTrace().length == 0) {
                String trace = FreshJvm.trace(f.id(), index);
                o = trace == null ? o : o.withDetail(trace);
            }
        }
        report.cases++;
        report.kinds.merge(m.description().substring(0, m.description().indexOf(':')), 1, Integer::sum);
        report.outcomes.merge(o.label(), 1, Integer::sum);
        if (o.error() != null) {
            report.examples.putIfAbsent(o.label(), caseId + ": " + printable(o.error().getMessage()));
        }
        if (o.nanos() > report.maxNanos) {
            report.maxNanos = o.nanos();
            report.slowest = caseId;
        }
        if (o.verdict() == Outcome.Verdict.REFUSED && !o.error().getMessage().contains(name)) {
            report.unnamedRefusals++;
            report.unnamedExample = caseId + ": " + o.error();
        }
        String problem = o.verdict() == Outcome.Verdict.REFUSED ? messageProblem(o.error().getMessage()) : null;
        if (problem != null) {
            report.messageProblems.add(caseId + " (" + m.description() + "): " + problem);
        }
        List<String> disk = diskProblems(dir, name, file, m.bytes(), tmpBefore);
        disk.forEach(p -> report.diskProblems.add(caseId + " (" + m.description() + "): " + p));
        if (!o.keepsPromise()) {
            String sig = o.signature();
            KnownBugs bug = KnownBugs.of(o.error(), o.stackTrace());
            Map<String, Crash> into = bug == null ? report.crashes : report.known;
            Crash seen = into.get(sig);
            if (seen != null) {
                into.put(sig, seen.again());
            } else {
                Path saved = save(caseId, f.fileName(), m, o);
                into.put(sig, new Crash(bug == null ? sig : bug.name() + ": " + sig, caseId, m.description(), o.stackTrace(), saved, 1));
            }
            System.out.println((bug == null ? "BROKEN PROMISE " : "KNOWN BUG " + bug + " ") + SEED + "/" + caseId
                    + " (" + m.description() + "): " + o);
        }
        Files.deleteIfExists(file);
    }

    /** Why a refusal message is not one safe line, or null: it must have no control character and stay within the cap. */
    static String messageProblem(String message) {
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            if (c < 0x20 || (c >= 0x7f && c < 0xa0)) {
                return String.format("control character U+%04X at %d: %s", (int) c, i, printable(message.substring(0, Math.min(200, message.length()))));
            }
        }
        int cap = 4096 + 2 + lenet5.Text.MAX_MESSAGE + 40; // file name, ": ", the message and its "... (n characters)"
        return message.length() > cap ? "message of " + message.length() + " characters" : null;
    }

    /** Inputs larger than this (64 MB of floats) are not fed: the caller could not build them on the safety run's heap either. */
    static final int MAX_PREDICT_INPUT = 1 << 24;

    static Object loadAndPredict(Path file, LoadOptions options) {
        Sequential model = Lenet5.load(file, options);
        try (Predictor p = model.newPredictor(Layout.NCHW)) {
            return p.inputSize() > MAX_PREDICT_INPUT ? null : p.predict(new float[p.inputSize()]);
        }
    }

    private static Outcome attempt(FuzzFixtures.Fixture f, Path dir, String name, byte[] bytes, Guard guard) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        try {
            return guard.run(() -> loadAndPredict(file, f.options()));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Anything a case left behind or changed: the input file, stray files next to it, temp files, zip-slip victims. */
    private static List<String> diskProblems(Path dir, String name, Path file, byte[] bytes, Set<String> tmpBefore) throws IOException {
        List<String> problems = new ArrayList<>();
        if (!Arrays.equals(bytes, Files.readAllBytes(file))) {
            problems.add("the input file was modified");
        }
        for (String n : listing(dir)) {
            if (!n.equals(name)) {
                problems.add("left " + dir.resolve(n));
                Files.walk(dir.resolve(n)).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        if (PRIVATE_TMP) {
            for (String n : listing(TMP)) {
                if (!tmpBefore.contains(n) && !n.startsWith("junit") && !n.startsWith("surefire")) {
                    problems.add("left a temporary file " + TMP.resolve(n));
                    tmpBefore.add(n);
                }
            }
        }
        for (Path d : new Path[] {dir.getParent(), WORK, MODULE.resolve("target"), TMP, TMP.getParent(), Path.of("/tmp"), Path.of("/")}) {
            for (String n : listing(d)) {
                if (n.startsWith("lenet5-zip-slip")) {
                    problems.add("zip slip: created " + d.resolve(n));
                    Files.walk(d.resolve(n)).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
        return problems;
    }

    private static Set<String> listing(Path dir) throws IOException {
        if (dir == null || !Files.isDirectory(dir)) {
            return new HashSet<>();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return new HashSet<>(s.map(p -> p.getFileName().toString()).toList());
        }
    }

    private static Path save(String caseId, String fileName, Mutator.Mutant m, Outcome o) {
        try {
            Files.createDirectories(FAILURES);
            String base = caseId.replaceAll("[^A-Za-z0-9._#-]", "_");
            Path bin = FAILURES.resolve(base + "-" + fileName);
            Files.write(bin, m.bytes());
            Files.writeString(FAILURES.resolve(base + ".txt"), "case " + SEED + "/" + caseId + "\nmutation: " + m.description()
                    + "\noutcome: " + o + "\nreproduce: mvn -B -o -pl cli test -Dtest=MutationFuzzTest -Dlenet5.fuzz.seed=" + SEED
                    + " -Dlenet5.fuzz.only='" + caseId + "'\n\n" + o.stackTrace(), StandardCharsets.UTF_8);
            return bin;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Messages may quote bytes from a damaged file: keep the report plain text. */
    static String printable(String s) {
        return s == null ? "null" : s.replaceAll("[^\\x20-\\x7E]", "?");
    }

    static List<Zips.Entry> zipEntries(Path file) {
        try {
            return Zips.read(file);
        } catch (IOException | RuntimeException e) {
            return null; // not a zip (legacy .pt, .h5)
        }
    }
}
