package lenet5.spark;

import lenet5.image.ImagePreprocessor;
import lenet5.model.Predictor;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructType;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What an input column holds, and how one cell becomes one model input in the batch buffer.
 * {@link #read} writes {@code predictor.inputSize()} floats at {@code offset} and returns null, or
 * returns why the cell cannot be scored (the row then gets a null prediction and that error).
 */
enum InputKind {
    /** {@code array<float>} (or any numeric array) or an ML {@code vector}: the model's input values, as given. */
    PIXELS("pixels") {
        @Override
        String read(Object cell, Predictor p, ImagePreprocessor images, float[] dst, int offset) {
            int n = p.inputSize();
            if (cell instanceof Vector v) {
                if (v.size() != n) {
                    return wrongCount(p, v.size());
                }
                for (int i = 0; i < n; i++) {
                    dst[offset + i] = (float) v.apply(i);
                }
            } else {
                // Spark hands an array to a Row as a Scala Seq (an ArraySeq: apply is O(1)); read it in place.
                scala.collection.Seq<?> seq = (scala.collection.Seq<?>) cell;
                if (seq.length() != n) {
                    return wrongCount(p, seq.length());
                }
                for (int i = 0; i < n; i++) {
                    Object x = seq.apply(i);
                    if (x == null) {
                        return "value " + i + " is null";
                    }
                    dst[offset + i] = ((Number) x).floatValue();
                }
            }
            return firstNonFinite(dst, offset, n);
        }
    },
    /** {@code binary}: an encoded image file (PNG, JPEG, BMP, GIF), decoded and preprocessed like the CLI's image input. */
    BYTES("bytes") {
        @Override
        String read(Object cell, Predictor p, ImagePreprocessor images, float[] dst, int offset) {
            return Images.fromBytes((byte[]) cell, images, dst, offset);
        }
    },
    /** Spark's {@code image} data source struct (origin, height, width, nChannels, mode, data in BGR(A) order). */
    IMAGE("image") {
        @Override
        String read(Object cell, Predictor p, ImagePreprocessor images, float[] dst, int offset) {
            return Images.fromImageStruct((Row) cell, images, dst, offset);
        }
    };

    final String param;

    InputKind(String param) {
        this.param = param;
    }

    /** Never called with a null cell (the caller reports that). */
    abstract String read(Object cell, Predictor p, ImagePreprocessor images, float[] dst, int offset);

    /** The kind a column of this type holds: {@code requested} if it fits, or the one the type implies for "auto". */
    static InputKind of(String column, DataType type, String requested) {
        InputKind implied = implied(type);
        String req = requested.toLowerCase(Locale.ROOT);
        if (implied == null || !(req.equals("auto") || req.equals(implied.param))) {
            throw new IllegalArgumentException("input column '" + column + "' has type " + type.simpleString()
                    + (req.equals("auto") ? "" : ", not one for input kind '" + requested + "'")
                    + "; expected array<float> or vector (pixels), binary (encoded image bytes) or Spark's image struct");
        }
        return implied;
    }

    private static InputKind implied(DataType type) {
        if (type instanceof ArrayType a && a.elementType() instanceof NumericType
                || type.sameType(SQLDataTypes.VectorType())) {
            return PIXELS;
        }
        if (type.sameType(DataTypes.BinaryType)) {
            return BYTES;
        }
        if (type instanceof StructType s && Arrays.asList(s.fieldNames()).containsAll(
                List.of("height", "width", "nChannels", "mode", "data"))) {
            return IMAGE;
        }
        return null;
    }

    static String wrongCount(Predictor p, int got) {
        return "expected " + p.inputSize() + " values (" + p.inputShape() + " in " + p.inputLayout() + "), got " + got;
    }

    /** NaN or infinite inputs would spread through every class: refuse them per row. */
    static String firstNonFinite(float[] v, int offset, int n) {
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(v[offset + i])) {
                return "value " + i + " is " + v[offset + i];
            }
        }
        return null;
    }
}
