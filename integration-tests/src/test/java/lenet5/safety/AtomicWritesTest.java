package lenet5.safety;

import lenet5.Lenet5;
import lenet5.Lenet5Exception;
import lenet5.LoadOptions;
import lenet5.io.AtomicFiles;
import lenet5.layers.Padding;
import lenet5.layers.Pool2d;
import lenet5.model.Sequential;
import lenet5.testing.TestFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Writes are atomic: a write that fails half way leaves no partial or temporary file, and an
 * existing target keeps its exact bytes. Checked on {@link AtomicFiles} with injected failures,
 * on the real writers behind {@link Lenet5#save} with a failure provoked mid-write, and on
 * {@code convert}'s refusal to overwrite its input.
 */
@Tag("safety")
class AtomicWritesTest {
    static final Path TANH = TestFiles.testdata().resolve("torch/lenet5_tanh.pt");
    static final byte[] OLD = "the previous content of the target\n".getBytes(StandardCharsets.UTF_8);
    static final Report REPORT = new Report("Atomic writes");

    @TempDir
    Path dir;

    @AfterAll
    static void print() {
        REPORT.print("atomic-writes-report.txt");
    }

    /** Failures a writer can hit: an I/O error, a bug, an Error. */
    static Stream<Throwable> failures() {
        return Stream.of(new IOException("injected: disk full"), new IllegalStateException("injected: a bug"),
                new OutOfMemoryError("injected: out of memory"));
    }

    @ParameterizedTest(name = "target exists: {0}")
    @ValueSource(booleans = {false, true})
    void failingStreamWriterLeavesNothingBehind(boolean exists) throws IOException {
        for (Throwable failure : failures().toList()) {
            Path target = dir.resolve("model.bin");
            if (exists) {
                Files.write(target, OLD);
            }
            Throwable thrown = assertThrows(Throwable.class, () -> AtomicFiles.write(target, out -> {
                out.write(new byte[1 << 20]); // 1 MB reaches the temporary file before the failure
                out.flush();
                sneakyThrow(failure);
            }));
            assertEquals(failure, thrown, "the writer's own failure propagates");
            assertUntouched(target, exists);
            Files.deleteIfExists(target);
        }
    }

    @ParameterizedTest(name = "target exists: {0}")
    @ValueSource(booleans = {false, true})
    void failingPathWriterLeavesNothingBehind(boolean exists) throws IOException {
        Path target = dir.resolve("model.h5");
        if (exists) {
            Files.write(target, OLD);
        }
        AtomicReference<Path> tmp = new AtomicReference<>();
        assertThrows(IOException.class, () -> AtomicFiles.writeVia(target, p -> {
            tmp.set(p);
            Files.write(p, new byte[1 << 20]);
            throw new IOException("injected after 1 MB");
        }));
        assertTrue(tmp.get().getParent().equals(target.toAbsolutePath().getParent()), "the temporary file is in the target's directory: " + tmp);
        assertUntouched(target, exists);
    }

    @Test
    void successfulWriteReplacesTheTargetWhole() throws IOException {
        Path target = dir.resolve("model.bin");
        Files.write(target, OLD);
        byte[] fresh = new byte[3 << 20];
        new java.util.Random(1).nextBytes(fresh);
        AtomicFiles.write(target, out -> out.write(fresh));
        assertArrayEquals(fresh, Files.readAllBytes(target));
        assertEquals(List.of("model.bin"), listing());
    }

    /**
     * The real writers, failing mid-write: the writing thread is interrupted, so the first
     * write to a file channel throws ClosedByInterruptException (channel I/O is interruptible;
     * root ignores read-only directories, so permissions cannot provoke a failure here).
     * Either the writer fails, cleanly, or its I/O is not interruptible and it succeeds; both
     * are recorded.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"pt", "h5", "keras"})
    void realWriterFailingMidWriteLeavesTargetUntouched(String ext) throws Exception {
        Sequential model = Lenet5.load(TANH);
        Path target = dir.resolve("model." + ext);
        Files.write(target, OLD);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = new Thread(() -> {
            Thread.currentThread().interrupt();
            try {
                Lenet5.save(model, target);
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        t.start();
        t.join(30_000);
        assertFalse(t.isAlive(), "save hung");
        Throwable e = thrown.get();
        if (e == null) {
            REPORT.note("Lenet5.save ." + ext + " on an interrupted thread", "wrote the file anyway (its I/O is not interruptible): no failure injected");
            assertEquals(List.of(target.getFileName().toString()), listing(), "no temporary file left");
            assertTrue(Files.size(target) > OLD.length);
            return;
        }
        REPORT.note("Lenet5.save ." + ext + " on an interrupted thread", e.getClass().getSimpleName() + ": " + e.getMessage());
        assertTrue(e instanceof Lenet5Exception, "a failed save throws a lenet5 exception, got " + e);
        assertUntouched(target, true);
    }

    /**
     * The real writers on a full disk: the target's directory is a 64 KiB tmpfs, so every
     * writer (a LeNet-5 is about 250 KB in any format) fails with ENOSPC part way through.
     * Also checks that the failed writer closed its files (a .h5 save once left jhdf's channel
     * on the deleted temporary file open). Needs root and permission to mount (skipped otherwise).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"pt", "h5", "keras"})
    void realWriterOnAFullDiskLeavesTargetUntouched(String ext) throws Exception {
        Sequential model = Lenet5.load(TANH);
        Path mount = Files.createDirectories(dir.resolve("full"));
        org.junit.jupiter.api.Assumptions.assumeTrue(exec("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mount.toString()) == 0,
                "cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN)");
        try {
            Path target = mount.resolve("model." + ext);
            Files.write(target, OLD);
            Outcome o;
            try (Guard g = new Guard(30_000)) {
                o = g.run(() -> {
                    Lenet5.save(model, target);
                    return null;
                });
            }
            REPORT.add("Lenet5.save ." + ext + " into a full 64 KiB file system", o);
            assertEquals(Outcome.Verdict.REFUSED, o.verdict(), "a failed save throws a lenet5 exception: " + o + "\n" + o.stackTrace());
            assertArrayEquals(OLD, Files.readAllBytes(target), "the existing target changed");
            try (Stream<Path> s = Files.list(mount)) {
                assertEquals(List.of(target.getFileName().toString()), s.map(p -> p.getFileName().toString()).toList(), "leftover files");
            }
            List<String> open = openFilesUnder(mount);
            REPORT.note("file handles still open under the full file system after the failed ." + ext + " save", open.isEmpty() ? "none" : open.toString());
            assertEquals(List.of(), open, "a failed save must close what it opened (a deleted temporary file still holds its disk space)");
        } finally {
            // A leaked handle keeps the mount busy: let the GC close it, and detach lazily as a last resort.
            if (exec("umount", mount.toString()) != 0) {
                System.gc();
                if (exec("umount", mount.toString()) != 0) {
                    exec("umount", "-l", mount.toString());
                }
            }
        }
    }

    /** This JVM's open file descriptors that point below {@code dir} (Linux /proc). */
    private static List<String> openFilesUnder(Path dir) throws IOException {
        List<String> open = new ArrayList<>();
        Path fds = Path.of("/proc/self/fd");
        if (!Files.isDirectory(fds)) {
            return open;
        }
        try (Stream<Path> s = Files.list(fds)) {
            for (Path fd : s.toList()) {
                try {
                    String to = Files.readSymbolicLink(fd).toString();
                    if (to.startsWith(dir.toAbsolutePath().toString())) {
                        open.add(to);
                    }
                } catch (IOException e) {
                    // the descriptor closed while we listed them
                }
            }
        }
        return open;
    }

    private static int exec(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) ? p.exitValue() : -1;
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }

    /** Models a target format cannot express must be refused before anything is written. */
    @Test
    void unrepresentableModelLeavesTargetUntouched() throws IOException {
        Sequential tanh = Lenet5.load(TANH);
        // Max pooling with asymmetric padding (what Keras 'same' gives on an odd input) and average
        // pooling whose padded zeros count (PyTorch's default, which Keras cannot express).
        List<Sequential> candidates = new ArrayList<>();
        candidates.add(withPool(tanh, new Pool2d("2", Pool2d.Kind.MAX, 2, 2, 2, 2, new Padding(0, 1, 0, 1), true, false)));
        candidates.add(withPool(tanh, new Pool2d("2", Pool2d.Kind.AVG, 3, 3, 2, 2, new Padding(1, 1, 1, 1), true, false)));
        candidates.add(withPool(tanh, new Pool2d("2", Pool2d.Kind.AVG, 2, 2, 2, 2, Padding.NONE, true, true)));
        int refused = 0;
        for (Sequential m : candidates) {
            for (String ext : new String[] {"pt", "h5", "keras"}) {
                Path target = dir.resolve("model." + ext);
                Files.write(target, OLD);
                try {
                    Lenet5.save(m, target);
                    REPORT.note("save " + m.layers().get(2).describe() + " as ." + ext, "written");
                    Files.delete(target);
                } catch (Lenet5Exception e) {
                    refused++;
                    REPORT.note("save " + m.layers().get(2).describe() + " as ." + ext, e.getClass().getSimpleName() + ": " + e.getMessage());
                    assertUntouched(target, true);
                    Files.delete(target);
                }
                assertEquals(List.of(), listing(), "no temporary file left");
            }
        }
        assertTrue(refused > 0, "no candidate was unrepresentable in any format; nothing was tested");
    }

    @Test
    void convertRefusesToOverwriteItsInput() throws IOException {
        Path in = dir.resolve("model.pt");
        Files.copy(TANH, in);
        byte[] before = Files.readAllBytes(in);
        Path link = dir.resolve("link.pt");
        Files.createSymbolicLink(link, in);
        Path hard = dir.resolve("hard.pt");
        Files.createLink(hard, in);
        for (String out : new String[] {in.toString(), dir.resolve(".").resolve("model.pt").toString(),
                dir.resolve("sub/../model.pt").toString(), link.toString(), hard.toString()}) {
            Files.createDirectories(dir.resolve("sub"));
            CliRun r = CliRun.of("convert", in.toString(), out);
            String problem = r.assertOneLineError(out);
            REPORT.note("convert IN " + out.replace(dir.toString(), "<dir>"), "exit " + r.exit() + ": " + problem);
            assertArrayEquals(before, Files.readAllBytes(in), "the input changed");
        }
        Lenet5Exception e = assertThrows(Lenet5Exception.class, () -> Lenet5.convert(in, in));
        REPORT.note("Lenet5.convert(in, in)", e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(in));
    }

    /** {@code convert x.py x.pt} writes the loader script x.py next to x.pt: over the input, if the input is x.py. */
    @Test
    void convertDoesNotOverwriteItsInputWithTheLoaderScript() throws IOException {
        Path in = dir.resolve("model.py"); // a .pt file under a .py name: formats are detected from content
        Files.copy(TANH, in);
        byte[] before = Files.readAllBytes(in);
        CliRun r = CliRun.of("convert", in.toString(), dir.resolve("model.pt").toString());
        REPORT.note("convert model.py (a .pt) model.pt", "exit " + r.exit() + (r.err().isBlank() ? "" : ": " + r.err().strip()));
        assertArrayEquals(before, Files.readAllBytes(in), "the input was overwritten by the loader script");
    }

    @Test
    void saveIntoADirectoryOrUnderAFileIsAClearError() throws IOException {
        Sequential model = Lenet5.load(TANH);
        Path asDir = Files.createDirectories(dir.resolve("model.pt"));
        Outcome o = new Guard(5000).run(() -> {
            Lenet5.save(model, asDir);
            return null;
        });
        REPORT.add("save over a directory named model.pt", o);
        assertTrue(o.verdict() == Outcome.Verdict.REFUSED, o.toString());
        Path file = dir.resolve("plain");
        Files.write(file, OLD);
        o = new Guard(5000).run(() -> {
            Lenet5.save(model, file.resolve("model.h5"));
            return null;
        });
        REPORT.add("save under a regular file (plain/model.h5)", o);
        assertTrue(o.verdict() == Outcome.Verdict.REFUSED, o.toString());
        assertArrayEquals(OLD, Files.readAllBytes(file));
    }

    private static Sequential withPool(Sequential m, Pool2d pool) {
        List<lenet5.layers.Layer> layers = new ArrayList<>(m.layers());
        layers.set(2, pool);
        try {
            return m.withLayers(layers);
        } catch (Lenet5Exception e) {
            fail("candidate model invalid: " + e);
            return null;
        }
    }

    private void assertUntouched(Path target, boolean existed) throws IOException {
        if (existed) {
            assertArrayEquals(OLD, Files.readAllBytes(target), "the existing target changed");
            assertEquals(List.of(target.getFileName().toString()), listing(), "leftover files");
        } else {
            assertFalse(Files.exists(target), "a partial target was left");
            assertEquals(List.of(), listing(), "leftover files");
        }
    }

    private List<String> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.equals("sub")).sorted().toList();
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> void sneakyThrow(Throwable t) throws T {
        throw (T) t;
    }
}
