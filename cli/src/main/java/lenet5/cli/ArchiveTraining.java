package lenet5.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Not a user command: the {@code lenet5} launcher runs this with {@code -XX:ArchiveClassesAtExit}
 * after building the jar, once per command it keeps a class-data archive for. One JVM runs the
 * command on the committed test data the ways users run it ({@code predict}: IDX digits, raw
 * floats, a JPEG and a PNG), so the archive holds what they load (a JPEG's prediction started in
 * 0.33 s instead of 0.57 s; a raw-float one ~10 ms later than with an archive of that path alone). One archive per command: a single archive
 * for all of them made a one-image prediction start ~20 ms later (mapping 14 MB instead of 3 MB),
 * while a conversion started 1.0 s -> 0.7 s with its own.
 */
public final class ArchiveTraining {
    private ArchiveTraining() {
    }

    /** @param args the command ({@code predict}, {@code inspect} or {@code convert}) and the repository's directory */
    public static void main(String[] args) throws IOException {
        String command = args[0];
        Path repo = Path.of(args[1]), data = repo.resolve("testdata");
        Path pt = data.resolve("torch/lenet5_tanh.pt");
        Path tmp = Files.createTempDirectory("lenet5-archive");
        try {
            Path h5 = tmp.resolve("model.h5");
            switch (command) {
                case "predict" -> {
                    Path floats = tmp.resolve("one.f32");
                    Files.write(floats, new byte[28 * 28 * Float.BYTES]);
                    run("predict", pt.toString(), "--images", data.resolve("mnist/test-images-idx3-ubyte.gz").toString());
                    run("predict", pt.toString(), "--input", floats.toString());
                    run("predict", pt.toString(), data.resolve("images/cmyk/0000-2-rich.jpg").toString(),
                            repo.resolve("examples/src/main/resources/digit.png").toString());
                }
                case "inspect" -> {
                    run("inspect", pt.toString());
                    run("convert", pt.toString(), h5.toString());
                    run("inspect", h5.toString());
                }
                case "convert" -> {
                    run("convert", pt.toString(), h5.toString());
                    run("convert", h5.toString(), tmp.resolve("back.pt").toString());
                }
                default -> throw new IllegalArgumentException("no training for " + command);
            }
        } finally {
            try (Stream<Path> files = Files.walk(tmp)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static void run(String... args) {
        PrintWriter sink = new PrintWriter(Writer.nullWriter());
        if (Main.run(args, sink, sink) != Main.EXIT_OK) {
            // The archive is only a speed-up: the launcher keeps going without it.
            throw new IllegalStateException("lenet5 " + String.join(" ", args) + " failed");
        }
    }
}
