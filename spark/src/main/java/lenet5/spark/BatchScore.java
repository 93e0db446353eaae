package lenet5.spark;

import lenet5.Lenet5Exception;
import lenet5.io.Idx;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.apache.spark.ml.functions.vector_to_array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.when;

/**
 * The batch job: scores every image of an input (Parquet, an MNIST IDX file, or a folder of PNG/JPEG
 * files) with a lenet5 model and writes Parquet: the input's other columns, {@code prediction}
 * (int), {@code probability} (array<float>, the model's outputs) and {@code error} (null, or why the
 * row was not scored). Runs under {@code spark-submit} against any master, and on
 * {@code local[*]} when no master is set.
 */
public final class BatchScore {
    static final String USAGE = """
            usage: BatchScore --model FILE --input PATH --output PATH [options]
              --model FILE        model file lenet5 reads (.pt, .pth, .h5, .keras, ...), on any Hadoop file system
              --input PATH        Parquet (file or folder), an MNIST idx3-ubyte file (plain or .gz), or a folder of images
              --output PATH       Parquet folder to write
              --format F          auto (default: from the content), parquet, idx, images
              --input-col C       Parquet column to score (default: the first pixel array, vector, binary or image column)
              --layout L          layout of pixel arrays: nchw (default) or nhwc
              --preprocess P      images: mnist (default: crop to the ink, 20x20 box, centre of mass), resize, none
              --normalize M,S     images: (pixel - M) / S after preprocessing, e.g. 0.1307,0.3081
              --raw-pixels        IDX and image pixels as 0..255 instead of 0..1
              --batch-size N      rows per predictor call (default 256)
              --overwrite         replace an existing output
              --fail-on-bad-rows  exit with status 1 when any row could not be scored (the output is still written)
            Without a master (spark-submit --master, or -Dspark.master) the job runs on local[*].
            Exit status: 0 done (bad rows, if any, are counted in the report), 1 bad rows with --fail-on-bad-rows,
            2 usage or input error.""";

    private static final List<String> IMAGE_EXTENSIONS = List.of("png", "jpg", "jpeg", "bmp", "gif");
    private static final String IMAGE_GLOB = "*.{png,PNG,jpg,JPG,jpeg,JPEG,bmp,BMP,gif,GIF}";
    private static final int IDX_SLICE = 4096;

    private BatchScore() {
    }

    /** What a run did: rows written, rows that got an error, and a few of those errors. */
    public record Summary(long rows, long bad, String format, List<String> sampleErrors, double seconds,
                          boolean failOnBadRows) {
        /** The process's exit status for this run: 1 when bad rows were asked to fail it, else 0. */
        public int exitStatus() {
            return failOnBadRows && bad > 0 ? 1 : 0;
        }
    }

    public static void main(String[] args) {
        if (args.length == 0 || Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            System.out.println(USAGE);
            System.exit(args.length == 0 ? 2 : 0);
        }
        SparkSession.Builder builder = SparkSession.builder().appName("lenet5 BatchScore");
        boolean local = !new SparkConf().contains("spark.master");
        if (local) {
            builder.master("local[*]").config("spark.ui.enabled", "false");
        }
        SparkSession spark = builder.getOrCreate();
        int code;
        try {
            if (local) {
                spark.sparkContext().setLogLevel("WARN");
            }
            code = execute(spark, System.out, System.err, args);
        } finally {
            spark.stop();
        }
        System.exit(code);
    }

    /** {@link #run}, with errors as one line on {@code err}; returns the exit status (see {@link #USAGE}). */
    static int execute(SparkSession spark, PrintStream out, PrintStream err, String... args) {
        try {
            Summary s = run(spark, out, args);
            if (s.exitStatus() != 0) {
                err.printf(Locale.ROOT, "error: %d bad rows (--fail-on-bad-rows)%n", s.bad());
            }
            return s.exitStatus();
        } catch (Lenet5Exception | IllegalArgumentException | UncheckedIOException e) {
            err.println("error: " + e.getMessage());
            return 2;
        }
    }

    /** Runs the job on an existing session, printing its report to {@code out}. */
    public static Summary run(SparkSession spark, PrintStream out, String... args) {
        Map<String, String> o = parse(args);
        long start = System.nanoTime();
        String input = o.get("input"), output = o.get("output");
        String format = o.get("format").equals("auto") ? detect(spark, input) : o.get("format");
        Dataset<Row> in;
        String column = o.get("input-col");
        switch (format) {
            case "parquet" -> in = spark.read().parquet(input);
            case "idx" -> {
                in = idx(spark, input, o.containsKey("raw-pixels"));
                column = "pixels";
            }
            case "images" -> {
                in = spark.read().format("binaryFile").option("pathGlobFilter", IMAGE_GLOB)
                        .option("recursiveFileLookup", "true").load(input);
                column = "content";
            }
            default -> throw new IllegalArgumentException("--format must be auto, parquet, idx or images, got '" + format + "'");
        }
        if (column == null) {
            column = firstScorableColumn(in.schema(), input);
        }
        Lenet5Transformer scorer = new Lenet5Transformer().setModelPath(o.get("model")).setInputCol(column)
                .setInputLayout(o.get("layout")).setBatchSize(Integer.parseInt(o.get("batch-size")))
                .setImagePreprocess(o.get("preprocess"))
                .setImageNormalization(o.containsKey("raw-pixels") ? "raw" : o.get("normalize"));
        Dataset<Row> scored = scorer.transform(in).drop(column)
                // Plain floats for readers outside Spark (the values are the model's float outputs, exactly).
                .withColumn("probability", when(col("probability").isNotNull(), vector_to_array(col("probability"), "float32")));
        scored.write().mode(o.containsKey("overwrite") ? SaveMode.Overwrite : SaveMode.ErrorIfExists).parquet(output);

        Dataset<Row> written = spark.read().parquet(output);
        long rows = written.count();
        List<Row> bad = written.where(col("error").isNotNull()).select(col(written.columns()[0]).cast("string"), col("error"))
                .limit(5).collectAsList();
        long badCount = bad.isEmpty() ? 0 : written.where(col("error").isNotNull()).count();
        List<String> samples = new ArrayList<>();
        bad.forEach(r -> samples.add(r.getString(0) + ": " + r.getString(1)));
        Summary s = new Summary(rows, badCount, format, samples, (System.nanoTime() - start) / 1e9,
                o.containsKey("fail-on-bad-rows"));
        out.printf(Locale.ROOT, "scored %d rows from %s (%s, column '%s') with %s in %.1f s -> %s%n",
                rows, input, format, column, o.get("model"), s.seconds(), output);
        if (badCount == 0) {
            out.println("bad rows: 0");
        } else {
            out.printf(Locale.ROOT, "BAD ROWS: %d of %d (%.2f%%) could not be scored: null prediction, the reason in "
                    + "column 'error'; the first:%n", badCount, rows, 100.0 * badCount / rows);
            samples.forEach(e -> out.println("  " + e));
        }
        return s;
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> o = new LinkedHashMap<>(Map.of("format", "auto", "layout", "nchw", "batch-size", "256",
                "preprocess", "mnist", "normalize", "none"));
        List<String> flags = List.of("raw-pixels", "overwrite", "fail-on-bad-rows");
        List<String> valued = List.of("model", "input", "output", "format", "input-col", "layout", "batch-size",
                "preprocess", "normalize");
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String name = a.startsWith("--") ? a.substring(2) : "";
            if (flags.contains(name)) {
                o.put(name, "true");
            } else if (valued.contains(name) && i + 1 < args.length) {
                o.put(name, args[++i]);
            } else {
                throw new IllegalArgumentException((valued.contains(name) ? "missing value for " : "unknown argument ")
                        + a + "\n" + USAGE);
            }
        }
        for (String required : List.of("model", "input", "output")) {
            if (!o.containsKey(required)) {
                throw new IllegalArgumentException("--" + required + " is required\n" + USAGE);
            }
        }
        try {
            Integer.parseInt(o.get("batch-size"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--batch-size must be a number, got '" + o.get("batch-size") + "'");
        }
        return o;
    }

    /** From the content: Parquet's "PAR1", IDX's magic (or gzip), image files or a folder of them. */
    static String detect(SparkSession spark, String input) {
        Path p = new Path(input);
        try {
            FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (fs.getFileStatus(p).isDirectory()) {
                boolean images = false;
                for (FileStatus f : fs.listStatus(p)) {
                    String name = f.getPath().getName().toLowerCase(Locale.ROOT);
                    if (name.endsWith(".parquet")) {
                        return "parquet";
                    }
                    images |= f.isDirectory() || IMAGE_EXTENSIONS.contains(name.substring(name.lastIndexOf('.') + 1));
                }
                return images ? "images" : "parquet";
            }
            byte[] head = new byte[4];
            try (FSDataInputStream in = fs.open(p)) {
                in.readFully(0, head, 0, (int) Math.min(4, fs.getFileStatus(p).getLen()));
            }
            if (new String(head, java.nio.charset.StandardCharsets.ISO_8859_1).equals("PAR1")) {
                return "parquet";
            }
            if ((head[0] == 0x1f && (head[1] & 0xff) == 0x8b) || (head[0] == 0 && head[1] == 0 && head[2] == 8 && head[3] == 3)) {
                return "idx";
            }
            return "images";
        } catch (java.io.FileNotFoundException e) {
            throw new IllegalArgumentException("no such input: " + input);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + input + ": " + e.getMessage(), e);
        }
    }

    private static String firstScorableColumn(StructType schema, String input) {
        for (StructField f : schema.fields()) {
            try {
                InputKind.of(f.name(), f.dataType(), "auto");
                return f.name();
            } catch (IllegalArgumentException notScorable) {
                // try the next column
            }
        }
        throw new IllegalArgumentException(input + " has no column of pixels (array<float>, vector), image bytes (binary) "
                + "or images (Spark's image struct); its schema is " + schema.simpleString());
    }

    /**
     * An IDX file read once on the driver and broadcast; executors build the (index, pixels) rows
     * slice by slice, so the driver never holds them as rows.
     */
    private static Dataset<Row> idx(SparkSession spark, String input, boolean raw) {
        Idx.Images images = Idx.readImages(localCopy(spark, input));
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<byte[]> pixels = jsc.broadcast(images.pixels());
        int count = images.count(), size = images.rows() * images.cols();
        List<Integer> slices = new ArrayList<>();
        for (int i = 0; i < count; i += IDX_SLICE) {
            slices.add(i);
        }
        StructType schema = new StructType().add("index", DataTypes.IntegerType, false)
                .add("pixels", DataTypes.createArrayType(DataTypes.FloatType, false), false);
        return spark.createDataFrame(jsc.parallelize(slices, Math.max(1, slices.size())).flatMap(first -> {
            byte[] all = pixels.value();
            int end = Math.min(count, first + IDX_SLICE);
            List<Row> rows = new ArrayList<>(end - first);
            for (int i = first; i < end; i++) {
                float[] px = new float[size];
                for (int j = 0; j < size; j++) {
                    int v = all[i * size + j] & 0xff;
                    // Division, as Idx.toFloats and numpy's uint8 / 255.
                    px[j] = raw ? v : v / 255f;
                }
                rows.add(RowFactory.create(i, px));
            }
            return rows.iterator();
        }), schema);
    }

    /** Idx reads local files; a remote one is copied to a temporary file first. */
    private static java.nio.file.Path localCopy(SparkSession spark, String input) {
        Path p = new Path(input);
        try {
            FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (fs.getUri().getScheme() == null || fs.getUri().getScheme().equals("file")) {
                return java.nio.file.Path.of(p.toUri().getPath());
            }
            java.nio.file.Path tmp = Files.createTempFile("lenet5-idx-", "");
            tmp.toFile().deleteOnExit();
            fs.copyToLocalFile(p, new Path(tmp.toUri()));
            return tmp;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + input + ": " + e.getMessage(), e);
        }
    }
}
