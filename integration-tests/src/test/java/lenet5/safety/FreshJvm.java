package lenet5.safety;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Reruns one fuzz case in a new JVM with the same heap, to get the stack trace of an
 * OutOfMemoryError. A JVM preallocates only four OutOfMemoryErrors with stack traces; after
 * those it throws them bare, and a bare one cannot be traced to its cause.
 */
final class FreshJvm {
    private static int budget = Integer.getInteger("lenet5.fuzz.freshJvms", 20);

    private FreshJvm() {
    }

    /** The stack trace the case produces in a new JVM, or null (no budget left, or the rerun did not crash). */
    static synchronized String trace(String fixtureId, int index) {
        if (budget <= 0) {
            return null;
        }
        budget--;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = List.of(java, "-Xmx" + (Runtime.getRuntime().maxMemory() >> 20) + "m",
                "-Dlenet5.root=" + System.getProperty("lenet5.root", ""), "-Dbasedir=" + Fuzzer.MODULE,
                "-Dlenet5.fuzz.seed=" + Fuzzer.SEED, "-cp", System.getProperty("java.class.path"),
                FreshJvm.class.getName(), fixtureId, Integer.toString(index));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            int at = out.indexOf("TRACE\n");
            return at < 0 ? null : out.substring(at + 6);
        } catch (IOException | InterruptedException e) {
            return null;
        }
    }

    /** In the new JVM: run the case on this thread and print what it threw. */
    public static void main(String[] args) throws Exception {
        String id = args[0];
        int index = Integer.parseInt(args[1]);
        List<FuzzFixtures.Fixture> all = new java.util.ArrayList<>(FuzzFixtures.torch());
        Path shared = FuzzFixtures.sharedOrNull();
        if (shared != null) {
            all.addAll(FuzzFixtures.shared(shared));
        }
        FuzzFixtures.Fixture f = all.stream().filter(x -> x.id().equals(id)).findFirst().orElseThrow();
        byte[] original = java.nio.file.Files.readAllBytes(f.file());
        Mutator.Mutant m = Fuzzer.mutant(f, new Mutator(original, Fuzzer.zipEntries(f.file())), index);
        Path dir = java.nio.file.Files.createTempDirectory("fuzz-fresh");
        Path file = dir.resolve("c" + index + "-" + f.fileName());
        java.nio.file.Files.write(file, m.bytes());
        try {
            Fuzzer.loadAndPredict(file, f.options());
            System.out.println("NO CRASH");
        } catch (Throwable t) {
            System.out.println("TRACE");
            t.printStackTrace(System.out);
        } finally {
            java.nio.file.Files.deleteIfExists(file);
            java.nio.file.Files.deleteIfExists(dir);
        }
    }
}
