package lenet5.spark;

import lenet5.io.Idx;
import lenet5.testing.TestFiles;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** One real local[2] SparkSession for every test class in this JVM, and the committed MNIST test digits. */
final class LocalSpark {
    static final int DIGITS = 2000;
    static final int PIXELS = 28 * 28;
    static final StructType PIXEL_SCHEMA = new StructType()
            .add("id", DataTypes.IntegerType, false)
            .add("pixels", DataTypes.createArrayType(DataTypes.FloatType, false), true);

    private static SparkSession session;
    private static float[] digits;

    private LocalSpark() {
    }

    static synchronized SparkSession session() {
        if (session == null) {
            session = SparkSession.builder()
                    .master("local[2]")
                    .appName("lenet5-spark-tests")
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.shuffle.partitions", "2")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .getOrCreate();
            session.sparkContext().setLogLevel("WARN");
        }
        return session;
    }

    static Path mnistImages() {
        return TestFiles.testdata().resolve("mnist/test-images-idx3-ubyte.gz");
    }

    /** The 2,000 committed MNIST test digits (testdata/generate.py's held-out split), scaled to [0,1], one after another. */
    static synchronized float[] digits() {
        if (digits == null) {
            digits = Idx.readImages(mnistImages()).toFloats(true);
        }
        return digits;
    }

    static float[] digit(int i) {
        return java.util.Arrays.copyOfRange(digits(), i * PIXELS, (i + 1) * PIXELS);
    }

    /** The digits as (id, pixels array<float>) rows in {@code partitions} partitions. */
    static Dataset<Row> digitFrame(int partitions) {
        List<Row> rows = new ArrayList<>(DIGITS);
        for (int i = 0; i < DIGITS; i++) {
            float[] px = digit(i);
            Float[] boxed = new Float[PIXELS];
            for (int j = 0; j < PIXELS; j++) {
                boxed[j] = px[j];
            }
            rows.add(RowFactory.create(i, boxed));
        }
        return session().createDataFrame(rows, PIXEL_SCHEMA).repartition(partitions);
    }
}
