package lenet5.spark;

import lenet5.Lenet5;
import lenet5.io.RawFloats;
import lenet5.layout.Layout;
import lenet5.model.Predictor;
import lenet5.model.Sequential;
import lenet5.testing.TestFiles;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Spark local[2] scoring of the 2,000 committed MNIST test digits from Parquet is bit-identical to
 * the single-JVM engine on the same model, for the PyTorch file and for a Keras .h5, and a saved
 * and reloaded Pipeline scores the same.
 */
class TransformerTest {
    private static final Path TANH = TestFiles.testdata().resolve("torch/lenet5_tanh.pt");

    @TempDir
    static Path tmp;
    private static Path parquet;

    @BeforeAll
    static void writeParquet() {
        parquet = tmp.resolve("digits.parquet");
        LocalSpark.digitFrame(3).write().parquet(parquet.toString());
    }

    /** The single-JVM engine: one predictor, all 2,000 digits in one batch, and each digit alone. */
    static float[] engine(Path modelFile) {
        Sequential model = Lenet5.load(modelFile);
        try (Predictor p = model.newPredictor(Layout.NCHW)) {
            float[] batch = p.batchPredict(LocalSpark.digits());
            for (int i = 0; i < LocalSpark.DIGITS; i += 97) {
                float[] one = p.predict(LocalSpark.digit(i));
                for (int k = 0; k < one.length; k++) {
                    assertEquals(Float.floatToIntBits(batch[i * one.length + k]), Float.floatToIntBits(one[k]),
                            "the engine itself gives digit " + i + " the same bits alone and in a batch");
                }
            }
            return batch;
        }
    }

    /** Rows sorted by id; asserts every row was scored and its outputs are exactly {@code expected}'s, bit for bit. */
    static void assertBitIdentical(float[] expected, List<Row> rows, String what) {
        assertEquals(LocalSpark.DIGITS, rows.size(), what + ": row count");
        int k = expected.length / LocalSpark.DIGITS;
        for (Row r : rows) {
            int id = r.getInt(r.fieldIndex("id"));
            assertNull(r.get(r.fieldIndex("error")), what + ": digit " + id + " has an error");
            Vector v = (Vector) r.get(r.fieldIndex("probability"));
            assertEquals(k, v.size());
            for (int j = 0; j < k; j++) {
                float got = (float) v.apply(j);
                assertEquals(v.apply(j), got, "probabilities are floats widened exactly");
                assertEquals(Float.floatToIntBits(expected[id * k + j]), Float.floatToIntBits(got),
                        what + ": digit " + id + " class " + j);
            }
            assertEquals(Predictor.argmax(expected, id * k, k), r.getInt(r.fieldIndex("prediction")), what + ": digit " + id);
        }
        System.out.println(what + ": " + rows.size() + " rows bit-identical to the single-JVM engine (max abs diff 0)");
    }

    static List<Row> score(Lenet5Transformer t, Dataset<Row> df) {
        return t.transform(df).orderBy("id").collectAsList();
    }

    static Dataset<Row> digitsFromParquet() {
        return LocalSpark.session().read().parquet(parquet.toString());
    }

    @Test
    void torchModelFromParquetMatchesEngineAndPyTorch() {
        float[] expected = engine(TANH);
        // The engine against PyTorch on the same digits (testdata/generate.py recorded PyTorch's probabilities).
        TestFiles.assertClose(RawFloats.read(TestFiles.testdata().resolve("torch/lenet5_tanh.test_probs.f32")),
                expected, LocalSpark.DIGITS, 1e-5, "lenet5_tanh.pt, engine vs PyTorch, 2000 digits");
        Lenet5Transformer t = new Lenet5Transformer().setModelPath(TANH.toString()).setInputCol("pixels");
        List<Row> rows = score(t, digitsFromParquet());
        assertBitIdentical(expected, rows, "lenet5_tanh.pt, Spark local[2] from Parquet");
        byte[] torchPredictions = readAll(TestFiles.testdata().resolve("torch/lenet5_tanh.test_predictions.u8"));
        for (Row r : rows) {
            assertEquals(torchPredictions[r.getInt(0)], r.getInt(r.fieldIndex("prediction")), "PyTorch's prediction");
        }
    }

    @Test
    void kerasH5WrittenByTheProjectMatchesEngine() {
        Path h5 = tmp.resolve("lenet5_tanh.h5");
        Lenet5.save(Lenet5.load(TANH), h5);
        Lenet5Transformer t = new Lenet5Transformer().setModelPath(h5.toString()).setInputCol("pixels").setBatchSize(100);
        assertBitIdentical(engine(h5), score(t, digitsFromParquet()), "lenet5_tanh.h5, Spark local[2] from Parquet");
    }

    @Test
    void pipelineSavesLoadsAndScoresTheSame() throws Exception {
        Path copy = Files.copy(TANH, tmp.resolve("pipeline-model.pt"));
        Lenet5Transformer t = new Lenet5Transformer().setModelPath(copy.toString()).setInputCol("pixels")
                .setPredictionCol("digit").setBatchSize(64);
        PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {t}).fit(digitsFromParquet());
        Path saved = tmp.resolve("pipeline");
        fitted.write().save(saved.toString());
        Files.delete(copy); // the saved pipeline carries the model's bytes
        PipelineModel loaded = PipelineModel.load(saved.toString());
        Lenet5Transformer back = (Lenet5Transformer) loaded.stages()[0];
        assertEquals(64, back.getBatchSize());
        assertEquals("digit", back.getOrDefault(back.predictionCol()));
        assertTrue(back.getModelPath().startsWith(saved.toUri().toString()) || back.getModelPath().startsWith(saved.toString()),
                back.getModelPath());
        assertBitIdentical(engine(TANH), loaded.transform(digitsFromParquet()).withColumnRenamed("digit", "prediction")
                .orderBy("id").collectAsList(), "reloaded PipelineModel");
    }

    static byte[] readAll(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
