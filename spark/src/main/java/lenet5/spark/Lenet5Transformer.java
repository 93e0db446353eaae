package lenet5.spark;

import lenet5.image.Normalization;
import lenet5.image.Preprocess;
import lenet5.layout.Layout;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * Scores a DataFrame column with a lenet5 model (any file lenet5 reads: {@code .pt}, {@code .h5},
 * {@code .keras}, ...), adding the predicted class ({@code int}), the probability vector (ML
 * {@code vector}, the model's outputs) and an error ({@code string}, null when the row was scored).
 * <p>
 * The input column holds, by its type: {@code array<float>} (any numeric array) or {@code vector}
 * of the model's input values in {@link #inputLayout()} (NCHW unless set; the same array means the
 * same image whichever framework the model file came from); {@code binary} encoded images (PNG, JPEG, BMP, GIF), decoded and
 * preprocessed as the CLI does; or the struct of Spark's {@code image} data source. A row that
 * cannot be scored (undecodable image, wrong value count, NaN, null) gets a null prediction and
 * probability and the reason in the error column; the job goes on.
 * <p>
 * The model file is read once on the driver (from any Hadoop file system), broadcast, parsed once
 * per executor JVM and run by one predictor per task thread, in batches of {@link #batchSize()}
 * rows. Saving (alone or in a {@code PipelineModel}) stores the model file's bytes with the
 * parameters, so a saved pipeline does not depend on the original file.
 */
public final class Lenet5Transformer extends Transformer implements MLWritable {
    private static final long serialVersionUID = 1L;
    private static final String MODEL_DIR = "model";

    private final String uid;
    private final Param<String> modelPath;
    private final Param<String> inputCol;
    private final Param<String> inputKind;
    private final Param<String> inputLayout;
    private final Param<String> predictionCol;
    private final Param<String> probabilityCol;
    private final Param<String> errorCol;
    private final IntParam batchSize;
    private final Param<String> imagePreprocess;
    private final Param<String> imageNormalization;

    public Lenet5Transformer() {
        this(Identifiable$.MODULE$.randomUID("lenet5"));
    }

    public Lenet5Transformer(String uid) {
        this.uid = uid;
        modelPath = new Param<>(this, "modelPath", "model file (.pt, .h5, .keras, ...) on any Hadoop file system");
        inputCol = new Param<>(this, "inputCol", "input column");
        inputKind = new Param<>(this, "inputKind", "what the input column holds: auto (from its type), pixels, bytes, image",
                ParamValidators.inArray(new String[] {"auto", "pixels", "bytes", "image"}));
        inputLayout = new Param<>(this, "inputLayout", "layout of pixel arrays: nchw (PyTorch's) or nhwc (Keras's)",
                ParamValidators.inArray(new String[] {"nchw", "nhwc"}));
        predictionCol = new Param<>(this, "predictionCol", "output column: predicted class (int)");
        probabilityCol = new Param<>(this, "probabilityCol", "output column: the model's outputs (vector)");
        errorCol = new Param<>(this, "errorCol", "output column: why a row was not scored (string, null if it was)");
        batchSize = new IntParam(this, "batchSize", "rows per predictor call", ParamValidators.inRange(1, 65536));
        imagePreprocess = new Param<>(this, "imagePreprocess", "how an image becomes a model input, as the CLI's "
                + "--preprocess: mnist (crop to the ink, 20x20 box, centre of mass), resize, none",
                ParamValidators.inArray(new String[] {"mnist", "resize", "none"}));
        imageNormalization = new Param<>(this, "imageNormalization", "image pixels after preprocessing: none ([0,1]), "
                + "raw (0..255) or MEAN,STD (e.g. 0.1307,0.3081)");
        setDefault(imagePreprocess, "mnist");
        setDefault(imageNormalization, "none");
        setDefault(inputCol, "image");
        setDefault(inputKind, "auto");
        setDefault(inputLayout, "nchw");
        setDefault(predictionCol, "prediction");
        setDefault(probabilityCol, "probability");
        setDefault(errorCol, "error");
        setDefault(batchSize, 256);
    }

    @Override
    public String uid() {
        return uid;
    }

    public Param<String> modelPath() { return modelPath; }
    public Param<String> inputCol() { return inputCol; }
    public Param<String> inputKind() { return inputKind; }
    public Param<String> inputLayout() { return inputLayout; }
    public Param<String> predictionCol() { return predictionCol; }
    public Param<String> probabilityCol() { return probabilityCol; }
    public Param<String> errorCol() { return errorCol; }
    public IntParam batchSize() { return batchSize; }
    public Param<String> imagePreprocess() { return imagePreprocess; }
    public Param<String> imageNormalization() { return imageNormalization; }

    public Lenet5Transformer setModelPath(String v) { set(modelPath, v); return this; }
    public Lenet5Transformer setInputCol(String v) { set(inputCol, v); return this; }
    public Lenet5Transformer setInputKind(String v) { set(inputKind, v); return this; }
    public Lenet5Transformer setInputLayout(String v) { set(inputLayout, v); return this; }
    public Lenet5Transformer setPredictionCol(String v) { set(predictionCol, v); return this; }
    public Lenet5Transformer setProbabilityCol(String v) { set(probabilityCol, v); return this; }
    public Lenet5Transformer setErrorCol(String v) { set(errorCol, v); return this; }
    public Lenet5Transformer setBatchSize(int v) { set(batchSize, v); return this; }
    public Lenet5Transformer setImagePreprocess(String v) { set(imagePreprocess, v); return this; }
    public Lenet5Transformer setImageNormalization(String v) { set(imageNormalization, v); return this; }

    public String getModelPath() { return $(modelPath); }
    public String getInputCol() { return $(inputCol); }
    public int getBatchSize() { return (Integer) $(batchSize); }

    @Override
    public StructType transformSchema(StructType schema) {
        String in = $(inputCol);
        if (!Arrays.asList(schema.fieldNames()).contains(in)) {
            throw new IllegalArgumentException("no input column '" + in + "'; the columns are "
                    + Arrays.toString(schema.fieldNames()));
        }
        InputKind.of(in, schema.apply(in).dataType(), $(inputKind));
        for (String out : new String[] {$(predictionCol), $(probabilityCol), $(errorCol)}) {
            if (Arrays.asList(schema.fieldNames()).contains(out)) {
                throw new IllegalArgumentException("output column '" + out + "' already exists");
            }
        }
        return schema.add($(predictionCol), DataTypes.IntegerType, true)
                .add($(probabilityCol), SQLDataTypes.VectorType(), true)
                .add($(errorCol), DataTypes.StringType, true);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        if (!isDefined(modelPath)) {
            throw new IllegalArgumentException("modelPath is not set");
        }
        StructType schema = dataset.schema();
        StructType outSchema = transformSchema(schema);
        SparkSession spark = dataset.sparkSession();
        ModelBytes bytes = ModelBytes.read($(modelPath), spark.sparkContext().hadoopConfiguration());
        bytes.model(); // parse on the driver first, so a bad model file fails here, once, with its own message
        Broadcast<ModelBytes> shipped = spark.sparkContext().broadcast(bytes,
                scala.reflect.ClassTag$.MODULE$.apply(ModelBytes.class));
        int column = schema.fieldIndex($(inputCol));
        Scorer scorer = new Scorer(shipped, column, InputKind.of($(inputCol), schema.apply(column).dataType(), $(inputKind)),
                Layout.parse($(inputLayout)), getBatchSize(), Preprocess.parse($(imagePreprocess)), normalization());
        return dataset.toDF().mapPartitions(scorer, Encoders.row(outSchema));
    }

    private Normalization normalization() {
        String n = $(imageNormalization).trim();
        return n.equalsIgnoreCase("none") ? Normalization.NONE
                : n.equalsIgnoreCase("raw") ? Normalization.RAW_PIXELS : Normalization.parse(n);
    }

    @Override
    public Lenet5Transformer copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    @Override
    public MLWriter write() {
        return new Writer(this);
    }

    public static MLReader<Lenet5Transformer> read() {
        return new Reader();
    }

    public static Lenet5Transformer load(String path) {
        return read().load(path);
    }

    /** The parameters as Spark's default writer stores them, plus the model file's bytes under {@code model/}. */
    private static final class Writer extends MLWriter {
        private final Lenet5Transformer t;

        Writer(Lenet5Transformer t) {
            this.t = t;
        }

        @Override
        public void saveImpl(String path) {
            ModelBytes bytes = ModelBytes.read(t.getModelPath(), sc().hadoopConfiguration());
            DefaultParamsWriter$.MODULE$.saveMetadata(t, path, sparkSession());
            Path target = new Path(new Path(path, MODEL_DIR), bytes.name());
            try (FSDataOutputStream out = target.getFileSystem(sc().hadoopConfiguration()).create(target, true)) {
                out.write(bytes.bytes());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + target, e);
            }
        }
    }

    private static final class Reader extends MLReader<Lenet5Transformer> {
        @Override
        public Lenet5Transformer load(String path) {
            DefaultParamsReader.Metadata metadata = DefaultParamsReader$.MODULE$.loadMetadata(path, sparkSession(),
                    Lenet5Transformer.class.getName());
            Lenet5Transformer t = new Lenet5Transformer(metadata.uid());
            metadata.getAndSetParams(t, scala.Option.empty());
            String name = new Path(t.getModelPath()).getName();
            return t.setModelPath(new Path(new Path(path, MODEL_DIR), name).toString());
        }
    }
}
