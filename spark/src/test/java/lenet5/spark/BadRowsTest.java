package lenet5.spark;

import lenet5.Lenet5Exception;
import lenet5.testing.TestFiles;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rows that cannot be scored get a null prediction and the reason; the others in the same batches are scored. */
class BadRowsTest {
    private static final String TANH = TestFiles.testdata().resolve("torch/lenet5_tanh.pt").toString();

    @TempDir
    Path tmp;

    private static Float[] pixels(int digit, int length) {
        float[] d = LocalSpark.digit(digit);
        Float[] boxed = new Float[length];
        for (int i = 0; i < length; i++) {
            boxed[i] = i < d.length ? d[i] : 0f;
        }
        return boxed;
    }

    private static Float[] with(Float[] px, int index, Float value) {
        px[index] = value;
        return px;
    }

    /** id -> expected error fragment (null: scored, as the digit it is). */
    private static final String[] PIXEL_ERRORS = {null, "expected 784 values (1x28x28 in NCHW), got 783", "value 5 is NaN",
        "input is null", "value 0 is Infinity", "value 7 is null", null, "got 785"};

    private Dataset<Row> badPixels() {
        StructType schema = new StructType().add("id", DataTypes.IntegerType)
                .add("pixels", DataTypes.createArrayType(DataTypes.FloatType, true));
        List<Row> rows = List.of(
                RowFactory.create(0, pixels(0, 784)),
                RowFactory.create(1, pixels(1, 783)),
                RowFactory.create(2, with(pixels(2, 784), 5, Float.NaN)),
                RowFactory.create(3, null),
                RowFactory.create(4, with(pixels(4, 784), 0, Float.POSITIVE_INFINITY)),
                RowFactory.create(5, with(pixels(5, 784), 7, null)),
                RowFactory.create(6, pixels(6, 784)),
                RowFactory.create(7, pixels(7, 785)));
        return LocalSpark.session().createDataFrame(rows, schema).coalesce(1);
    }

    @Test
    void badPixelRowsGetAnErrorTheRestAreScored() {
        float[] expected = TransformerTest.engine(Path.of(TANH));
        // batch size 3: bad rows at the start, middle and end of batches
        List<Row> rows = new Lenet5Transformer().setModelPath(TANH).setInputCol("pixels").setBatchSize(3)
                .transform(badPixels()).orderBy("id").collectAsList();
        assertEquals(PIXEL_ERRORS.length, rows.size());
        for (Row r : rows) {
            int id = r.getInt(0);
            String error = r.getString(r.fieldIndex("error"));
            if (PIXEL_ERRORS[id] == null) {
                assertNull(error, "row " + id);
                assertEquals(lenet5.model.Predictor.argmax(expected, id * 10, 10), r.getInt(r.fieldIndex("prediction")));
                assertNotNull(r.get(r.fieldIndex("probability")));
            } else {
                assertNotNull(error, "row " + id);
                assertTrue(error.contains(PIXEL_ERRORS[id]), "row " + id + ": " + error);
                assertTrue(r.isNullAt(r.fieldIndex("prediction")) && r.isNullAt(r.fieldIndex("probability")), "row " + id);
            }
        }
    }

    @Test
    void corruptImagesGetAnErrorTheRestAreScored() throws Exception {
        byte[] png = Files.readAllBytes(LocalSpark.pngFolder().resolve("digit-0000.png"));
        byte[] noise = new byte[300];
        new Random(1).nextBytes(noise);
        StructType schema = new StructType().add("id", DataTypes.IntegerType).add("content", DataTypes.BinaryType);
        List<Row> rows = new Lenet5Transformer().setModelPath(TANH).setInputCol("content").transform(
                LocalSpark.session().createDataFrame(List.of(
                        RowFactory.create(0, png),
                        RowFactory.create(1, noise),
                        RowFactory.create(2, Arrays.copyOf(png, png.length / 2)),
                        RowFactory.create(3, new byte[0]),
                        RowFactory.create(4, png)), schema)).orderBy("id").collectAsList();
        for (Row r : rows) {
            int id = r.getInt(0);
            boolean good = id == 0 || id == 4;
            assertEquals(good, r.isNullAt(r.fieldIndex("error")), "row " + id + ": " + r.get(r.fieldIndex("error")));
            assertEquals(good, !r.isNullAt(r.fieldIndex("prediction")), "row " + id);
        }
        System.out.println("corrupt image errors: " + rows.stream().map(r -> r.get(r.fieldIndex("error"))).toList());
    }

    @Test
    void aCorruptModelFileFailsOnceOnTheDriverNamingTheFile() throws Exception {
        Path truncated = tmp.resolve("truncated.pt");
        byte[] pt = Files.readAllBytes(Path.of(TANH));
        Files.write(truncated, Arrays.copyOf(pt, pt.length / 2));
        Lenet5Transformer t = new Lenet5Transformer().setModelPath(truncated.toString()).setInputCol("pixels");
        Lenet5Exception e = assertThrows(Lenet5Exception.class, () -> t.transform(badPixels()));
        assertTrue(e.getMessage().contains("truncated.pt"), e.getMessage());
    }

    @Test
    void batchScoreCountsBadRowsAndFailsOnlyWhenAsked() {
        Path in = tmp.resolve("bad.parquet"), out = tmp.resolve("scored"), strict = tmp.resolve("scored-strict");
        badPixels().write().parquet(in.toString());
        ByteArrayOutputStream report = new ByteArrayOutputStream(), errors = new ByteArrayOutputStream();
        PrintStream reportStream = new PrintStream(report, true), errorStream = new PrintStream(errors, true);
        assertEquals(0, BatchScore.execute(LocalSpark.session(), reportStream, errorStream,
                "--model", TANH, "--input", in.toString(), "--output", out.toString()), "bad rows alone do not fail the job");
        assertTrue(report.toString().contains("BAD ROWS: 6 of 8 (75.00%) could not be scored"), report.toString());
        assertTrue(report.toString().contains("value 5 is NaN"), "the first errors are listed: " + report);
        assertEquals(6, LocalSpark.session().read().parquet(out.toString()).where("prediction IS NULL AND error IS NOT NULL").count());
        assertEquals("", errors.toString());

        assertEquals(1, BatchScore.execute(LocalSpark.session(), reportStream, errorStream,
                "--model", TANH, "--input", in.toString(), "--output", strict.toString(), "--fail-on-bad-rows"));
        assertEquals("error: 6 bad rows (--fail-on-bad-rows)", errors.toString().strip());
        assertEquals(8, LocalSpark.session().read().parquet(strict.toString()).count(), "the output is still written");
        System.out.print(report);
    }
}
