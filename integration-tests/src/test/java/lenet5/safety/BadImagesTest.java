package lenet5.safety;

import lenet5.testing.TestFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input data for {@code predict}: each must be one line {@code error: <file>: <problem>}
 * naming what was expected and what was found, exit code 2, no stack trace (and a stack trace
 * with {@code --debug}). Runs on the safety run's 256 MB heap, so a reader that believes a
 * header's sizes and allocates them shows up as an OutOfMemoryError.
 */
@Tag("safety")
class BadImagesTest {
    static final Path MODEL = TestFiles.testdata().resolve("torch/lenet5_tanh.pt");
    static final Report REPORT = new Report("Bad images through `lenet5 predict`");

    @TempDir
    Path dir;

    @AfterAll
    static void print() {
        REPORT.print("bad-images-report.txt");
    }

    @Test
    void wrongIdxMagicNamesExpectedAndActual() throws IOException {
        Path f = idx("magic.idx", 0x00000804, 1, 28, 28, 784, false);
        String problem = predictImages(f, "wrong IDX magic 0x00000804");
        assertTrue(problem.contains("0x00000804") && problem.contains("0x00000803"), problem);
        Path labels = TestFiles.testdata().resolve("mnist/test-labels-idx1-ubyte.gz");
        problem = predictImages(labels, "a label file given as images");
        assertTrue(problem.contains("0x00000801") && problem.contains("0x00000803"), problem);
    }

    @Test
    void imagesOfTheWrongSizeNameBothSizes() throws IOException {
        Path f = idx("32x32.idx", 0x00000803, 2, 32, 32, 2 * 1024, false);
        String problem = predictImages(f, "32x32 images for a 28x28 model");
        assertTrue(problem.contains("32x32") && problem.contains("1x28x28"), problem);
        f = idx("32x32.idx.gz", 0x00000803, 2, 32, 32, 2 * 1024, true);
        problem = predictImages(f, "32x32 images (gzipped) for a 28x28 model");
        assertTrue(problem.contains("32x32") && problem.contains("1x28x28"), problem);
    }

    @Test
    void truncatedIdxIsAClearError() throws IOException {
        for (boolean gz : new boolean[] {false, true}) {
            Path f = idx("truncated.idx" + (gz ? ".gz" : ""), 0x00000803, 10, 28, 28, 5 * 784, gz);
            String problem = predictImages(f, "IDX header says 10 images, file has 5" + (gz ? " (gzipped)" : ""));
            assertTrue(problem.contains("truncated"), problem);
        }
        Path empty = dir.resolve("empty.idx");
        Files.write(empty, new byte[0]);
        predictImages(empty, "empty IDX file");
        Path header = dir.resolve("header-only.idx");
        Files.write(header, new byte[] {0, 0, 8, 3, 0, 0});
        predictImages(header, "IDX file cut inside its header");
    }

    @Test
    void truncatedIdxNamesExpectedAndActualSizes() throws IOException {
        Path f = idx("truncated.idx", 0x00000803, 10, 28, 28, 5 * 784, false);
        String problem = predictImages(f, "truncated IDX (numbers)");
        assertTrue(problem.contains("10") && problem.contains("5"), "expected the declared 10 images and the 5 present: " + problem);
    }

    @Test
    void absurdIdxDimensionsAreRefused() throws IOException {
        Path f = idx("huge.idx", 0x00000803, Integer.MAX_VALUE, 28, 28, 784, false);
        String problem = predictImages(f, "IDX header claims 2^31-1 images");
        assertTrue(problem.contains("2147483647"), problem);
        f = idx("negative.idx", 0x00000803, 1, -28, 28, 784, false);
        predictImages(f, "IDX header with a negative dimension");
    }

    @Test
    void idxHeaderClaimingHundredsOfMegabytesIsRefusedWithoutAllocatingThem() throws IOException {
        // 1,000,000 x 28 x 28 = 784 MB, as floats 3.7 GB: over this run's 256 MB heap, so refused from the header
        // (a gzipped file can really hold them, see CraftedFilesTest); with a large heap, as truncated. The file holds one image.
        for (boolean gz : new boolean[] {false, true}) {
            Path f = idx("claims-784MB.idx" + (gz ? ".gz" : ""), 0x00000803, 1_000_000, 28, 28, 784, gz);
            String problem = predictImages(f, "IDX header claims 1,000,000 images, file has 1" + (gz ? " (gzipped)" : ""));
            assertTrue(problem.contains("maximum heap") || problem.contains("truncated"), problem);
        }
    }

    @Test
    void labelsThatDoNotMatchAreAClearError() throws IOException {
        String problem = predictTwoImagesWithLabels(labels("three.idx1", 3, 3), "3 labels for 2 images");
        assertTrue(problem.contains("3") && problem.contains("2"), problem);
    }

    @Test
    void labelHeaderClaimingABillionLabelsIsRefusedWithoutAllocatingThem() throws IOException {
        predictTwoImagesWithLabels(labels("huge.idx1", 1_000_000_000, 2), "label header claims 10^9 labels, file has 2");
    }

    private String predictTwoImagesWithLabels(Path labels, String what) throws IOException {
        Path images = idx("two.idx", 0x00000803, 2, 28, 28, 2 * 784, false);
        CliRun r = CliRun.of("predict", MODEL.toString(), "--images", images.toString(), "--labels", labels.toString());
        String problem = r.assertOneLineError(labels.toString());
        REPORT.note(what, "exit " + r.exit() + ": " + problem);
        return problem;
    }

    @Test
    void rawFloatsNotAWholeNumberOfImagesNameBothSizes() throws IOException {
        Path f = dir.resolve("785.f32");
        Files.write(f, new byte[4 * 785]);
        String problem = predictRaw(f, "raw .f32 of 785 floats for 784-value images");
        assertTrue(problem.contains("785") && problem.contains("784"), problem);
        Path odd = dir.resolve("odd.f32");
        Files.write(odd, new byte[3139]);
        problem = predictRaw(odd, "raw .f32 of 3139 bytes");
        assertTrue(problem.contains("3139") && problem.contains("4"), problem);
        Path empty = dir.resolve("empty.f32");
        Files.write(empty, new byte[0]);
        CliRun r = CliRun.of("predict", MODEL.toString(), "--input", empty.toString());
        REPORT.note("empty raw .f32", "exit " + r.exit() + (r.err().isEmpty() ? "" : ": " + r.err().strip()));
        assertTrue(r.exit() == 0 || r.exit() == 2, r.err());
    }

    @Test
    void notAFileIsAClearError() throws IOException {
        Path d = Files.createDirectories(dir.resolve("images.idx"));
        predictImages(d, "a directory as --images");
        predictImages(dir.resolve("missing.idx"), "a missing --images file");
        Path gz = dir.resolve("corrupt.idx.gz");
        Files.write(gz, new byte[] {0x1f, (byte) 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
        predictImages(gz, "gzip header followed by garbage");
    }

    @Test
    void debugPrintsTheStackTrace() throws IOException {
        Path f = idx("magic.idx", 0x00000804, 1, 28, 28, 784, false);
        CliRun.of("predict", MODEL.toString(), "--images", f.toString(), "--debug").assertStackTrace();
        Path raw = dir.resolve("785.f32");
        Files.write(raw, new byte[4 * 785]);
        CliRun.of("--debug", "predict", MODEL.toString(), "--input", raw.toString()).assertStackTrace();
    }

    private String predictImages(Path images, String what) {
        CliRun r = CliRun.of("predict", MODEL.toString(), "--images", images.toString());
        String problem = r.assertOneLineError(images.toString());
        REPORT.note(what, "exit " + r.exit() + ": " + problem);
        return problem;
    }

    private String predictRaw(Path raw, String what) {
        CliRun r = CliRun.of("predict", MODEL.toString(), "--input", raw.toString());
        String problem = r.assertOneLineError(raw.toString());
        REPORT.note(what, "exit " + r.exit() + ": " + problem);
        return problem;
    }

    /** An idx3 file: header as given, then {@code pixels} bytes (whatever the header says). */
    private Path idx(String name, int magic, int n, int rows, int cols, int pixels, boolean gz) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream sink = gz ? new GZIPOutputStream(bytes) : bytes; DataOutputStream out = new DataOutputStream(sink)) {
            out.writeInt(magic);
            out.writeInt(n);
            out.writeInt(rows);
            out.writeInt(cols);
            out.write(new byte[pixels]);
        }
        Path p = dir.resolve(name);
        Files.write(p, bytes.toByteArray());
        return p;
    }

    private Path labels(String name, int n, int present) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(0x00000801);
            out.writeInt(n);
            out.write(new byte[present]);
        }
        Path p = dir.resolve(name);
        Files.write(p, bytes.toByteArray());
        return p;
    }
}
