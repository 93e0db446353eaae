package lenet5.spark;

import lenet5.Lenet5;
import lenet5.image.ImageDecoder;
import lenet5.image.ImagePreprocessor;
import lenet5.io.Idx;
import lenet5.layout.Layout;
import lenet5.model.Predictor;
import lenet5.model.Sequential;
import lenet5.testing.TestFiles;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The 2,000 digits as PNG files, read by Spark as raw bytes ({@code binaryFile}) and as Spark's
 * {@code image} struct, score bit-identically to the single-JVM engine on the same decoded and
 * preprocessed images; without preprocessing they are exactly the IDX digits, so they predict what
 * PyTorch predicted.
 */
class ImagesTest {
    private static final Path TANH = TestFiles.testdata().resolve("torch/lenet5_tanh.pt");

    /** The engine, image by image: decode each PNG with the CLI's decoder and preprocessor, predict. */
    private static float[] engine(ImagePreprocessor pre) throws IOException {
        Sequential model = Lenet5.load(TANH);
        try (Predictor p = model.newPredictor(Layout.NCHW)) {
            float[] out = new float[LocalSpark.DIGITS * p.outputSize()];
            float[] input = new float[p.inputSize()];
            for (int i = 0; i < LocalSpark.DIGITS; i++) {
                byte[] png = Files.readAllBytes(LocalSpark.pngFolder().resolve(String.format("digit-%04d.png", i)));
                pre.apply(ImageDecoder.read(png), input, 0);
                p.predict(input, 0, 1, out, i * p.outputSize());
            }
            return out;
        }
    }

    @Test
    void pngBytesWithMnistPreprocessing() throws IOException {
        float[] expected = engine(ImagePreprocessor.forInput(Lenet5.load(TANH).inputShape()));
        Dataset<Row> files = LocalSpark.session().read().format("binaryFile").load(LocalSpark.pngFolder().toString());
        Lenet5Transformer t = new Lenet5Transformer().setModelPath(TANH.toString()).setInputCol("content");
        List<Row> rows = t.transform(files).select(col("path"), col("prediction"), col("probability"), col("error")).collectAsList();
        check(rows, expected, "PNG bytes (binaryFile), MNIST-style preprocessing, Spark local[2]");
        int[] labels = Idx.readLabels(TestFiles.testdata().resolve("mnist/test-labels-idx1-ubyte.gz"));
        long correct = rows.stream().filter(r -> labels[LocalSpark.idOf(r.getString(0))] == r.getInt(1)).count();
        System.out.println("accuracy after MNIST-style preprocessing: " + correct + "/" + rows.size()
                + " (PyTorch on the IDX digits: 1944/2000)");
        assertTrue(correct >= 0.95 * rows.size(), "re-centred MNIST digits still classify: " + correct);
    }

    @Test
    void sparkImageStructWithoutPreprocessingIsTheIdxDigits() throws IOException {
        float[] expected = TransformerTest.engine(TANH);
        assertEquals(0, java.util.Arrays.compare(expected, engine(ImagePreprocessor.forInput(
                Lenet5.load(TANH).inputShape()).withMode(lenet5.image.Preprocess.NONE))), "PNG decoding is lossless");
        Dataset<Row> images = LocalSpark.session().read().format("image").load(LocalSpark.pngFolder().toString());
        Lenet5Transformer t = new Lenet5Transformer().setModelPath(TANH.toString()).setImagePreprocess("none");
        // inputCol "image" is the default, the image source's column
        List<Row> rows = t.transform(images).select(col("image.origin"), col("prediction"), col("probability"), col("error"))
                .collectAsList();
        check(rows, expected, "Spark image struct, no preprocessing, Spark local[2]");
        byte[] torch = TransformerTest.readAll(TestFiles.testdata().resolve("torch/lenet5_tanh.test_predictions.u8"));
        for (Row r : rows) {
            assertEquals(torch[LocalSpark.idOf(r.getString(0))], r.getInt(1), "PyTorch's prediction for " + r.getString(0));
        }
    }

    private static void check(List<Row> rows, float[] expected, String what) {
        assertEquals(LocalSpark.DIGITS, rows.size());
        for (Row r : rows) {
            int id = LocalSpark.idOf(r.getString(0));
            assertNull(r.get(3), what + ": " + r.getString(0));
            Vector v = (Vector) r.get(2);
            for (int j = 0; j < v.size(); j++) {
                assertEquals(Float.floatToIntBits(expected[id * 10 + j]), Float.floatToIntBits((float) v.apply(j)),
                        what + ": digit " + id + " class " + j);
            }
        }
        System.out.println(what + ": " + rows.size() + " images bit-identical to the single-JVM engine");
    }
}
