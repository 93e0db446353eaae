package lenet5.spark;

import lenet5.testing.TestFiles;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The batch job on an IDX file and a folder of PNGs: Parquet out, every digit scored as the engine scores it. */
class BatchScoreTest {
    private static final Path TANH = TestFiles.testdata().resolve("torch/lenet5_tanh.pt");

    @TempDir
    Path tmp;

    private static BatchScore.Summary run(String... args) {
        ByteArrayOutputStream report = new ByteArrayOutputStream();
        BatchScore.Summary s = BatchScore.run(LocalSpark.session(), new PrintStream(report, true), args);
        System.out.print(report);
        return s;
    }

    @Test
    void idxFileToParquet() {
        Path out = tmp.resolve("idx-scores");
        BatchScore.Summary s = run("--model", TANH.toString(), "--input", LocalSpark.mnistImages().toString(),
                "--output", out.toString(), "--fail-on-bad-rows");
        assertEquals("idx", s.format());
        assertEquals(LocalSpark.DIGITS, s.rows());
        assertEquals(0, s.bad());
        assertEquals(0, s.exitStatus(), "--fail-on-bad-rows without bad rows");
        float[] expected = TransformerTest.engine(TANH);
        List<Row> rows = LocalSpark.session().read().parquet(out.toString()).orderBy("index").collectAsList();
        for (Row r : rows) {
            int id = r.getInt(r.fieldIndex("index"));
            List<Float> p = r.getList(r.fieldIndex("probability"));
            for (int j = 0; j < 10; j++) {
                assertEquals(Float.floatToIntBits(expected[id * 10 + j]), Float.floatToIntBits(p.get(j)), "digit " + id);
            }
            assertEquals(lenet5.model.Predictor.argmax(expected, id * 10, 10), r.getInt(r.fieldIndex("prediction")));
        }
    }

    @Test
    void imageFolderToParquet() {
        Path out = tmp.resolve("png-scores");
        // Without preprocessing the 28x28 PNGs are exactly the IDX digits, so PyTorch's predictions apply.
        BatchScore.Summary s = run("--model", TANH.toString(), "--input", LocalSpark.pngFolder().toString(),
                "--output", out.toString(), "--preprocess", "none");
        assertEquals("images", s.format());
        assertEquals(LocalSpark.DIGITS, s.rows());
        assertEquals(0, s.bad());
        byte[] torch = TransformerTest.readAll(TestFiles.testdata().resolve("torch/lenet5_tanh.test_predictions.u8"));
        for (Row r : LocalSpark.session().read().parquet(out.toString()).select("path", "prediction").collectAsList()) {
            assertEquals(torch[LocalSpark.idOf(r.getString(0))], r.getInt(1), r.getString(0));
        }
    }

    @Test
    void usageErrorsAreOneClearMessageAndStatus2() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> run("--input", "x", "--output", tmp.resolve("o").toString()));
        assertTrue(e.getMessage().startsWith("--model is required"), e.getMessage());
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(2, BatchScore.execute(LocalSpark.session(), System.out, new PrintStream(err, true), "--model", TANH.toString(),
                "--input", tmp.resolve("missing").toString(), "--output", tmp.resolve("o").toString()));
        assertTrue(err.toString().startsWith("error: no such input"), err.toString());
    }
}
