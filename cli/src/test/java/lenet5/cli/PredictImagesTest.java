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

    /**
     * CMYK JPEGs written by Pillow (testdata/images/make_images.py: black on the K plate, and blue ink on yellowish
     * paper converted to CMYK), which the JDK's own JPEG reader refuses: read through the TwelveMonkeys plugin in
     * the jar, with light paper and dark ink, and classified like the gray originals they were made from.
     */
    @Test
    void cmykJpegsAreClassifiedLikeTheirGrayOriginals(@TempDir Path tmp) throws Exception {
        Path cmyk = TestFiles.testdata().resolve("images/cmyk");
        Idx.Images digits = DigitImages.digits();
        for (int i = 0; i < 20; i++) {
            Files.write(tmp.resolve(String.format("%04d.png", i)), DigitImages.BLACK_ON_WHITE.file(digits, i));
        }
        Map<String, JsonNode> gray = jsonl(run("predict", MODEL.toString(), tmp.toString(), "--format", "jsonl"));
        Map<String, JsonNode> got = jsonl(run("predict", MODEL.toString(), cmyk.toString(), "--format", "jsonl"));
        assertEquals(40, got.size(), got.keySet().toString());
        double maxDiff = 0;
        for (Map.Entry<String, JsonNode> e : got.entrySet()) {
            String[] name = e.getKey().split("-"); // NNNN-LABEL-INK.jpg
            JsonNode want = gray.get(name[0] + ".png");
            assertEquals(want.get("class").asInt(), e.getValue().get("class").asInt(), e.getKey());
            maxDiff = Math.max(maxDiff, Math.abs(want.get("probability").asDouble() - e.getValue().get("probability").asDouble()));
            java.awt.image.BufferedImage img = lenet5.image.ImageDecoder.read(cmyk.resolve(e.getKey()));
            double paper = luminance(img.getRGB(0, 0)), ink = 255;
            for (int y = 0; y < img.getHeight(); y++) {
                for (int x = 0; x < img.getWidth(); x++) {
                    ink = Math.min(ink, luminance(img.getRGB(x, y)));
                }
            }
            assertTrue(paper > 200 && ink < 90, e.getKey() + ": paper " + paper + ", ink " + ink);
        }
        System.out.printf(Locale.ROOT, "CMYK JPEG: 40/40 classes as the gray originals, max abs difference of the top probability %.4f%n", maxDiff);
    }

    private static Map<String, JsonNode> jsonl(String[] r) throws Exception {
        assertEquals("0", r[0], r[2]);
        Map<String, JsonNode> byName = new java.util.TreeMap<>();
        for (String line : r[1].split("\n")) {
            JsonNode o = new ObjectMapper().readTree(line);
            byName.put(Path.of(o.get("file").asText()).getFileName().toString(), o);
        }
        return byName;
    }

    private static double luminance(int rgb) {
        return 0.299 * (rgb >> 16 & 0xff) + 0.587 * (rgb >> 8 & 0xff) + 0.114 * (rgb & 0xff);
    }
}
