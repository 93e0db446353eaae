package lenet5.spark;

import lenet5.image.ImagePreprocessor;
import lenet5.image.Normalization;
import lenet5.image.Preprocess;
import lenet5.layout.Layout;
import lenet5.model.Predictor;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Scores one partition: pulls up to {@code batchSize} rows, packs the good ones into one input
 * buffer, runs them in one predictor call, then hands out the input rows with prediction,
 * probability vector and error appended. Buffers are allocated once per partition; per row only the
 * output (row, probability vector) is.
 */
final class Scorer implements MapPartitionsFunction<Row, Row> {
    private final Broadcast<ModelBytes> model;
    private final int column;
    private final InputKind kind;
    private final Layout layout;
    private final int batchSize;
    private final Preprocess preprocess;
    /** Mean and standard deviation (Normalization is not serializable). */
    private final float mean;
    private final float std;

    Scorer(Broadcast<ModelBytes> model, int column, InputKind kind, Layout layout, int batchSize,
           Preprocess preprocess, Normalization normalization) {
        this.model = model;
        this.column = column;
        this.kind = kind;
        this.layout = layout;
        this.batchSize = batchSize;
        this.preprocess = preprocess;
        this.mean = normalization.mean();
        this.std = normalization.std();
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        Predictor p = model.value().predictor(layout);
        ImagePreprocessor images = kind == InputKind.PIXELS ? null
                : ImagePreprocessor.forInput(p.inputShape()).withMode(preprocess).withNormalization(new Normalization(mean, std));
        return new Batches(rows, p, images);
    }

    private final class Batches implements Iterator<Row> {
        private final Iterator<Row> rows;
        private final Predictor predictor;
        private final ImagePreprocessor images;
        private final float[] in;
        private final float[] out;
        private final Row[] batch = new Row[batchSize];
        private final String[] errors = new String[batchSize];
        /** Where row i's output is in {@code out}, or -1 for a bad row. */
        private final int[] slot = new int[batchSize];
        private int count;
        private int next;

        Batches(Iterator<Row> rows, Predictor predictor, ImagePreprocessor images) {
            this.rows = rows;
            this.predictor = predictor;
            this.images = images;
            this.in = new float[Math.multiplyExact(batchSize, predictor.inputSize())];
            this.out = new float[Math.multiplyExact(batchSize, predictor.outputSize())];
        }

        @Override
        public boolean hasNext() {
            if (next == count) {
                fill();
            }
            return next < count;
        }

        private void fill() {
            int inSize = predictor.inputSize(), good = 0;
            count = 0;
            next = 0;
            while (count < batchSize && rows.hasNext()) {
                Row row = rows.next();
                Object cell = row.get(column);
                String error;
                try {
                    error = cell == null ? "input is null" : kind.read(cell, predictor, images, in, good * inSize);
                } catch (RuntimeException e) {
                    // A cell nobody anticipated fails its row, never the job.
                    error = e.getClass().getSimpleName() + ": " + e.getMessage();
                }
                batch[count] = row;
                errors[count] = error;
                slot[count] = error == null ? good++ : -1;
                count++;
            }
            if (good > 0) {
                predictor.predict(in, 0, good, out, 0);
            }
        }

        @Override
        public Row next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            int i = next++;
            Row row = batch[i];
            batch[i] = null;
            int width = row.length(), k = predictor.outputSize();
            Object[] values = new Object[width + 3];
            for (int c = 0; c < width; c++) {
                values[c] = row.get(c);
            }
            if (slot[i] >= 0) {
                int o = slot[i] * k;
                double[] probability = new double[k];
                for (int j = 0; j < k; j++) {
                    probability[j] = out[o + j];
                }
                // As the CLI: a single (sigmoid) output is a binary class, otherwise the largest output wins.
                values[width] = k == 1 ? (out[o] >= 0.5f ? 1 : 0) : Predictor.argmax(out, o, k);
                values[width + 1] = Vectors.dense(probability);
            }
            values[width + 2] = errors[i];
            return RowFactory.create(values);
        }
    }
}
