package lenet5.spark;

import lenet5.Lenet5;
import lenet5.Lenet5Exception;
import lenet5.LoadOptions;
import lenet5.layout.Layout;
import lenet5.model.Predictor;
import lenet5.model.Sequential;
import lenet5.spi.Source;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.Serializable;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A model file's bytes as they travel to the executors (in a broadcast), and the per-JVM caches on
 * the other side: each distinct file (by SHA-256 of its content) is parsed once per JVM, and each
 * task thread keeps one {@link Predictor} per model and layout (predictors are not thread-safe,
 * executor threads are pooled and reused across tasks).
 */
record ModelBytes(String name, byte[] bytes, String sha256) implements Serializable {
    /** Larger files are refused before reading them into one array (LeNet-class files are far smaller). */
    static final long MAX_BYTES = 1L << 30;

    private static final Map<String, Sequential> MODELS = new ConcurrentHashMap<>();
    private static final ThreadLocal<Map<String, Predictor>> PREDICTORS = ThreadLocal.withInitial(HashMap::new);

    /** Reads a model file from any Hadoop file system (local, HDFS, S3, ...). */
    static ModelBytes read(String location, Configuration conf) {
        Path path = new Path(location);
        try {
            FileSystem fs = path.getFileSystem(conf);
            long len = fs.getFileStatus(path).getLen();
            if (len > MAX_BYTES) {
                throw new Lenet5Exception(java.nio.file.Path.of(path.getName()), "model file of " + len
                        + " bytes is larger than the " + MAX_BYTES + " bytes accepted");
            }
            byte[] bytes = new byte[(int) len];
            try (FSDataInputStream in = fs.open(path)) {
                in.readFully(0, bytes);
            }
            return new ModelBytes(path.getName(), bytes, sha256(bytes));
        } catch (IOException e) {
            throw new Lenet5Exception("cannot read the model file " + location + ": " + e.getMessage());
        }
    }

    /** The parsed model, shared by every thread of this JVM. */
    Sequential model() {
        return MODELS.computeIfAbsent(sha256, h -> parse());
    }

    /** This thread's predictor for the model, reading inputs in {@code layout}. */
    Predictor predictor(Layout layout) {
        return PREDICTORS.get().computeIfAbsent(sha256 + "/" + layout, k -> model().newPredictor(layout));
    }

    /** From the broadcast bytes in memory (no temporary file on the executors); errors name the file. */
    private Sequential parse() {
        return Lenet5.load(Source.of(bytes, name), LoadOptions.DEFAULTS);
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return name + " (" + bytes.length + " bytes, sha256 " + sha256 + ")";
    }
}
