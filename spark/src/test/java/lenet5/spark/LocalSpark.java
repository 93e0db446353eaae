package lenet5.spark;

import lenet5.io.Idx;
import lenet5.testing.TestFiles;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
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
                    // 2,000 small PNG files in 2 partitions, not 60 (Spark counts 4 MB per file by default)
                    .config("spark.sql.files.openCostInBytes", "4096")
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

    private static Path pngs;

    /** The 2,000 digits as 8-bit grayscale PNG files, digit-0000.png ..., written once per test JVM. */
    static synchronized Path pngFolder() {
        if (pngs == null) {
            try {
                Path dir = Files.createTempDirectory("lenet5-digits-png");
                byte[] px = Idx.readImages(mnistImages()).pixels();
                for (int i = 0; i < DIGITS; i++) {
                    BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
                    img.getRaster().setDataElements(0, 0, 28, 28, Arrays.copyOfRange(px, i * PIXELS, (i + 1) * PIXELS));
                    ImageIO.write(img, "png", dir.resolve(String.format("digit-%04d.png", i)).toFile());
                }
                pngs = dir;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return pngs;
    }

    /** The digit number in a path like .../digit-0042.png. */
    static int idOf(String path) {
        int dash = path.lastIndexOf("digit-");
        return Integer.parseInt(path.substring(dash + 6, dash + 10));
    }
}
