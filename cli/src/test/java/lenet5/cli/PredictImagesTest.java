package lenet5.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import lenet5.io.Idx;
import lenet5.testing.DigitImages;
import lenet5.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code predict MODEL IMAGE... | DIR} on the committed MNIST test digits written as image files. */
class PredictImagesTest {
    static final Path MODEL = TestFiles.testdata().resolve("torch/lenet5_tanh.pt");

    /** PyTorch's accuracy on the 2,000 IDX digits (testdata/torch/lenet5_tanh.accuracy.txt). */
    static final double IDX_ACCURACY = 0.9720;

    private static String[] run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }

    @Test
    void everyStyleThroughPredictKeepsTheIdxAccuracy(@TempDir Path tmp) throws Exception {
        Idx.Images digits = DigitImages.digits();
        int[] labels = DigitImages.labels();
        for (DigitImages style : DigitImages.values()) {
            for (int i = 0; i < digits.count(); i++) {
                Path f = tmp.resolve(style.name()).resolve(Integer.toString(labels[i])).resolve(String.format("%04d.%s", i, style.extension));
                Files.createDirectories(f.getParent());
                Files.write(f, style.file(digits, i));
            }
        }
        String[] r = run("predict", MODEL.toString(), tmp.toString(), "--format", "jsonl");
        assertEquals("0", r[0], r[2]);
        assertEquals("", r[2], "nothing on stderr when it is not a terminal");
        Map<DigitImages, int[]> counts = new EnumMap<>(DigitImages.class);
        ObjectMapper json = new ObjectMapper();
        for (String line : r[1].split("\n")) {
            JsonNode o = json.readTree(line);
            Path f = tmp.relativize(Path.of(o.get("file").asText()));
            int[] c = counts.computeIfAbsent(DigitImages.valueOf(f.getName(0).toString()), s -> new int[2]);
            c[1]++;
            if (o.get("class").asInt() == Integer.parseInt(f.getName(1).toString())) {
                c[0]++;
            }
            assertEquals(o.get("class").asInt(), o.get("top3").get(0).get("class").asInt());
            assertEquals(o.get("probability").asDouble(), o.get("top3").get(0).get("probability").asDouble());
            assertEquals(3, o.get("top3").size());
        }
        for (DigitImages style : DigitImages.values()) {
            int[] c = counts.get(style);
            assertEquals(digits.count(), c[1], style + ": files predicted");
            double accuracy = (double) c[0] / c[1];
            System.out.printf(Locale.ROOT, "predict %s: accuracy %.4f (%d/%d), IDX %.4f%n", style, accuracy, c[0], c[1], IDX_ACCURACY);
            assertTrue(accuracy >= IDX_ACCURACY - 0.005, style + ": " + accuracy);
        }
    }

    @Test
    void textCsvAndABadFileAmongGoodOnes(@TempDir Path tmp) throws Exception {
        Idx.Images digits = DigitImages.digits();
        Path a = tmp.resolve("a,1.png"), b = tmp.resolve("b.jpg"), bad = tmp.resolve("sub/broken.png");
        Files.write(a, DigitImages.BLACK_ON_WHITE.file(digits, 0));
        Files.write(b, DigitImages.JPEG_Q75.file(digits, 1));
        Files.createDirectories(bad.getParent());
        Files.write(bad, Arrays.copyOf(DigitImages.BLACK_ON_WHITE.file(digits, 2), 40));
        Files.writeString(tmp.resolve("notes.txt"), "not an image, and not picked up by the directory walk");

        String[] text = run("predict", MODEL.toString(), a.toString(), b.toString());
        assertEquals("0", text[0], text[2]);
        String[] lines = text[1].split("\n");
        assertEquals(2, lines.length, text[1]);
        int[] labels = DigitImages.labels();
        assertTrue(lines[0].matches(java.util.regex.Pattern.quote(a.toString()) + "\tclass " + labels[0]
                + "\tprobability 0\\.\\d{6}\ttop3 " + labels[0] + ":0\\.\\d{6} \\d:0\\.\\d{6} \\d:0\\.\\d{6}"), lines[0]);

        String[] csv = run("predict", MODEL.toString(), tmp.toString(), "--format", "csv");
        assertEquals("2", csv[0]);
        assertTrue(csv[2].contains(bad + ": not a readable png image"), csv[2]);
        assertTrue(csv[2].contains("1 of 3 files could not be read"), csv[2]);
        String[] rows = csv[1].split("\n");
        assertEquals("file,class,probability,top3", rows[0]);
        assertEquals(3, rows.length, csv[1]);
        assertTrue(rows[1].startsWith("\"" + a + "\"," + labels[0] + ","), rows[1]);

        String[] none = run("predict", MODEL.toString(), b.toString(), "--preprocess", "none");
        assertEquals("2", none[0]);
        assertTrue(none[2].contains("the image is 84x84 pixels, the model takes 28x28"), none[2]);
        String[] both = run("predict", MODEL.toString(), a.toString(), "--normalize", "0.1,0.3", "--raw-pixels");
        assertEquals("2", both[0]);
        String[] missing = run("predict", MODEL.toString(), tmp.resolve("nope.png").toString());
        assertEquals("2", missing[0]);
        assertTrue(missing[2].contains("nope.png: no such file or directory"), missing[2]);
        String[] nothing = run("predict", MODEL.toString());
        assertEquals("2", nothing[0]);
        assertTrue(nothing[2].contains("give IMAGE files"), nothing[2]);
    }
}
