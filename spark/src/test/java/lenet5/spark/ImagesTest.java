package lenet5.spark;

import lenet5.Lenet5;
import lenet5.layout.Layout;
import lenet5.model.Predictor;
import lenet5.testing.TestFiles;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The 2,000 digits as PNG files, read by Spark as raw bytes ({@code binaryFile}) and as Spark's
 * {@code image} struct, score bit-identically to the single-JVM engine on the same decoded and
 * preprocessed images, and predict what PyTorch predicted for the same digits.
 */
class ImagesTest {
    private static final Path TANH = TestFiles.testdata().resolve("torch/lenet5_tanh.pt");
    private static float[] expected;

    /** The engine, image by image: decode each PNG, preprocess as the CLI does, predict. */
    @BeforeAll
    static void engine() throws IOException {
        Path dir = LocalSpark.pngFolder();
        try (Predictor p = Lenet5.load(TANH).newPredictor(Layout.NCHW)) {
            expected = new float[LocalSpark.DIGITS * p.outputSize()];
            float[] input = new float[p.inputSize()];
            for (int i = 0; i < LocalSpark.DIGITS; i++) {
                byte[] png = Files.readAllBytes(dir.resolve(String.format("digit-%04d.png", i)));
                assertNull(Images.fromBytes(png, p, input, 0));
                p.predict(input, 0, 1, expected, i * p.outputSize());
            }
        }
    }

    @Test
    void pngBytesFromBinaryFileSource() {
        Dataset<Row> files = LocalSpark.session().read().format("binaryFile").load(LocalSpark.pngFolder().toString());
        Lenet5Transformer t = new Lenet5Transformer().setModelPath(TANH.toString()).setInputCol("content");
        check(t.transform(files).select(col("path"), col("prediction"), col("probability"), col("error")).collectAsList(),
                "PNG bytes (binaryFile), Spark local[2]");
    }

    @Test
    void sparkImageSourceStruct() {
        Dataset<Row> images = LocalSpark.session().read().format("image").load(LocalSpark.pngFolder().toString());
        Lenet5Transformer t = new Lenet5Transformer().setModelPath(TANH.toString()); // inputCol "image" is the default
        check(t.transform(images).select(col("image.origin"), col("prediction"), col("probability"), col("error"))
                .collectAsList(), "Spark image struct, Spark local[2]");
    }

    private static void check(List<Row> rows, String what) {
        assertEquals(LocalSpark.DIGITS, rows.size());
        byte[] torch = TransformerTest.readAll(TestFiles.testdata().resolve("torch/lenet5_tanh.test_predictions.u8"));
        int agree = 0;
        for (Row r : rows) {
            int id = LocalSpark.idOf(r.getString(0));
            assertNull(r.get(3), what + ": " + r.getString(0));
            Vector v = (Vector) r.get(2);
            for (int j = 0; j < v.size(); j++) {
                assertEquals(Float.floatToIntBits(expected[id * 10 + j]), Float.floatToIntBits((float) v.apply(j)),
                        what + ": digit " + id + " class " + j);
            }
            agree += torch[id] == r.getInt(1) ? 1 : 0;
        }
        System.out.println(what + ": " + rows.size() + " images bit-identical to the engine; predictions equal to PyTorch's: "
                + agree + "/" + rows.size());
        assertEquals(LocalSpark.DIGITS, agree, what + ": lossless 28x28 PNGs of the digits predict what PyTorch predicted");
    }
}
