package lenet5.safety;

import lenet5.testing.Pickle;
import lenet5.testing.TestFiles;
import lenet5.testing.TorchFiles;
import lenet5.testing.Zips;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * The same promise one layer up: every command given a hostile model file answers with exit
 * code 2 and one line {@code error: <file>: <problem>}, no stack trace, never "internal error".
 */
@Tag("safety")
class CliOnHostileFilesTest {
    static final Path TANH = TestFiles.testdata().resolve("torch/lenet5_tanh.pt");
    static final String ARCH = "Sequential(Linear(1, 1, bias=False))";
    static final Report REPORT = new Report("The lenet5 command on hostile model files");

    @TempDir
    static Path dir;

    @AfterAll
    static void print() {
        REPORT.print("cli-hostile-report.txt");
    }

    static Map<String, byte[]> hostileFiles() throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("os_system.pt", TorchFiles.zip(Pickle.proto(2).global("os", "system").str("touch " + dir.resolve("pwned"))
                .op(0x85).ops("R").stop(), new float[] {1}));
        files.put("nested.pt", TorchFiles.zip(Pickle.proto(2).ops("(".repeat(100_000)).ops("t".repeat(100_000)).stop(), new float[] {1}));
        files.put("overflow_legacy.pt", TorchFiles.legacy(TorchFiles.stateDictPickle(TorchFiles.Tensor1.honest(1), true), Long.MAX_VALUE, new float[] {1}));
        files.put("trillion.pt", TorchFiles.zip(TorchFiles.stateDictPickle(TorchFiles.Tensor1.honest(1).claiming(1_000_000_000_000L, 1, 1), false), new float[] {1}));
        byte[] tanh = Files.readAllBytes(TANH);
        files.put("truncated.pt", Arrays.copyOf(tanh, tanh.length / 2));
        files.put("empty.pt", new byte[0]);
        byte[] random = new byte[4096];
        new Random(11).nextBytes(random);
        files.put("random.h5", random);
        Path keras = FuzzFixtures.sharedOrNull() == null ? null : FuzzFixtures.sharedOrNull().resolve("keras3/lenet5_seeded_k3.keras");
        if (keras != null) {
            List<Zips.Entry> e = new ArrayList<>(Zips.read(keras));
            e.replaceAll(x -> x.name().equals("config.json") ? x.withData("[".repeat(50_000).getBytes()) : x);
            files.put("deep_config.keras", Zips.write(e));
        }
        return files;
    }

    @TestFactory
    Stream<DynamicTest> everyCommandRefusesEveryHostileFileInOneLine() throws IOException {
        Path input = dir.resolve("input.f32");
        lenet5.io.RawFloats.write(input, new float[784]);
        List<DynamicTest> tests = new ArrayList<>();
        for (Map.Entry<String, byte[]> h : hostileFiles().entrySet()) {
            Path file = dir.resolve(h.getKey());
            Files.write(file, h.getValue());
            String f = file.toString();
            Map<String, String[]> commands = new LinkedHashMap<>();
            commands.put("predict", new String[] {"predict", f, "--arch", ARCH, "--input-shape", "1", "--input", input.toString()});
            commands.put("inspect", new String[] {"inspect", f, "--arch", ARCH, "--input-shape", "1"});
            commands.put("convert", new String[] {"convert", f, dir.resolve("out-" + h.getKey() + ".h5").toString(), "--arch", ARCH, "--input-shape", "1"});
            commands.put("compare", new String[] {"compare", f, TANH.toString(), "--arch-a", ARCH, "--input-shape", "1"});
            for (Map.Entry<String, String[]> c : commands.entrySet()) {
                tests.add(DynamicTest.dynamicTest(c.getKey() + " " + h.getKey(), () -> {
                    CliRun r = CliRun.of(c.getValue());
                    String problem = r.assertOneLineError(f);
                    REPORT.note(c.getKey() + " " + h.getKey(), "exit " + r.exit() + ": " + problem);
                    org.junit.jupiter.api.Assertions.assertFalse(Files.exists(dir.resolve("pwned")), "the payload ran");
                }));
            }
        }
        return tests.stream();
    }
}
