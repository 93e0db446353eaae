package lenet5.spark;

import lenet5.Lenet5;
import lenet5.io.Idx;
import lenet5.layout.Layout;
import lenet5.model.Predictor;
import lenet5.model.Sequential;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Images/s scoring N digits (default 1,000,000: the 2,000 committed MNIST test digits repeated) from
 * Parquet: one JVM with a 2-thread predictor (Parquet read with parquet-hadoop, then scored) against
 * Spark local[2] (the transformer, read to a no-op sink, and to Parquet). Not a test: run by
 * benchmarks/spark.sh. Arguments: model file, work folder, N, repetitions.
 */
public final class SparkBenchmark {
    private SparkBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]), work = Path.of(args[1]);
        int n = Integer.parseInt(args[2]), reps = Integer.parseInt(args[3]);
        Path digits = Path.of(args.length > 4 ? args[4] : "testdata/mnist/test-images-idx3-ubyte.gz");
        Path parquet = work.resolve("digits-" + n + ".parquet");
        SparkSession spark = SparkSession.builder().master("local[2]").appName("lenet5 spark benchmark")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        if (!Files.isDirectory(parquet)) {
            generate(spark, digits, n, parquet);
        }
        System.out.printf(Locale.ROOT, "input: %s (%d digits, %.1f MB), model %s, JDK %s, %d cores%n", parquet, n,
                size(parquet) / 1e6, model, System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
        for (int r = 1; r <= reps; r++) {
            singleJvm(model, parquet, n, r);
            sparkRun(spark, model, parquet, n, r, "noop");
            sparkRun(spark, model, parquet, n, r, "parquet");
        }
        spark.stop();
    }

    /** N digits as (id, pixels array<float>) rows, built on the executors from a broadcast of the 2,000 digits. */
    private static void generate(SparkSession spark, Path idx, int n, Path parquet) {
        float[] source = Idx.readImages(idx).toFloats(true);
        Broadcast<float[]> shared = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(source);
        StructType schema = new StructType().add("id", DataTypes.LongType, false)
                .add("pixels", DataTypes.createArrayType(DataTypes.FloatType, false), false);
        Dataset<Row> rows = spark.range(0, n, 1, 8).toDF().mapPartitions(
                (org.apache.spark.api.java.function.MapPartitionsFunction<Row, Row>) it -> new java.util.Iterator<Row>() {
                    public boolean hasNext() {
                        return it.hasNext();
                    }

                    public Row next() {
                        long id = it.next().getLong(0);
                        float[] all = shared.value();
                        int d = (int) (id % (all.length / 784));
                        return RowFactory.create(id, java.util.Arrays.copyOfRange(all, d * 784, (d + 1) * 784));
                    }
                }, org.apache.spark.sql.Encoders.row(schema));
        rows.write().parquet(parquet.toString());
    }

    /** One JVM, no Spark: parquet-hadoop reads the pixel column into one array, a 2-thread predictor scores it. */
    private static void singleJvm(Path modelFile, Path parquet, int n, int rep) throws IOException {
        long t0 = System.nanoTime();
        float[] images = new float[Math.multiplyExact(n, 784)];
        int count = 0;
        List<Path> files;
        try (Stream<Path> s = Files.list(parquet)) {
            files = s.filter(p -> p.toString().endsWith(".parquet")).sorted().toList();
        }
        for (Path f : files) {
            try (ParquetReader<Group> reader = ParquetReader.builder(new GroupReadSupport(),
                    new org.apache.hadoop.fs.Path(f.toUri())).withConf(new Configuration()).build()) {
                for (Group g; (g = reader.read()) != null; count++) {
                    Group list = g.getGroup("pixels", 0);
                    int k = list.getFieldRepetitionCount(0);
                    for (int i = 0; i < k; i++) {
                        images[count * 784 + i] = list.getGroup(0, i).getFloat(0, 0);
                    }
                }
            }
        }
        long t1 = System.nanoTime();
        Sequential model = Lenet5.load(modelFile);
        float[] out = new float[n * 10];
        try (Predictor p = model.newPredictor(Layout.NCHW, 2)) {
            for (int i = 0; i < count; i += 256) {
                p.predict(images, i * 784, Math.min(256, count - i), out, i * 10);
            }
        }
        long t2 = System.nanoTime();
        report(rep, "single JVM, parquet-hadoop read (1 thread)", count, t1 - t0);
        report(rep, "single JVM, score (predictor, 2 threads, batches of 256)", count, t2 - t1);
        report(rep, "single JVM, read + score", count, t2 - t0);
    }

    private static void sparkRun(SparkSession spark, Path modelFile, Path parquet, int n, int rep, String sink) {
        long t0 = System.nanoTime();
        Dataset<Row> scored = new Lenet5Transformer().setModelPath(modelFile.toString()).setInputCol("pixels")
                .transform(spark.read().parquet(parquet.toString())).drop("pixels");
        if (sink.equals("noop")) {
            scored.write().format("noop").mode("overwrite").save();
        } else {
            scored.write().mode("overwrite").parquet(parquet.resolveSibling("scores.parquet").toString());
        }
        report(rep, "Spark local[2], read + score -> " + sink, n, System.nanoTime() - t0);
    }

    private static void report(int rep, String what, long images, long nanos) {
        System.out.printf(Locale.ROOT, "run %d  %-62s %9d images %8.2f s %10.0f images/s%n",
                rep, what, images, nanos / 1e9, images / (nanos / 1e9));
    }

    private static long size(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
