package lenet5.spark.examples;

import lenet5.spark.Lenet5Transformer;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** spark-submit ... ScoreDigits MODEL DIGITS_PARQUET PIPELINE_DIR: counts the predicted digits, saves the pipeline. */
public class ScoreDigits {
    public static void main(String[] args) throws Exception {
        SparkSession spark = SparkSession.builder().appName("score digits").getOrCreate();
        Dataset<Row> df = spark.read().parquet(args[1]);

        Lenet5Transformer lenet5 = new Lenet5Transformer()
                .setModelPath(args[0])     // .pt, .h5, .keras, ... on any Hadoop file system (hdfs://, s3a://, file:)
                .setInputCol("pixels");    // array<float>/vector (NCHW), binary PNG/JPEG, or Spark's image struct
        Dataset<Row> scored = lenet5.transform(df);   // + prediction (int), probability (vector), error (string)
        scored.groupBy("prediction").count().orderBy("prediction").show();

        PipelineModel model = new Pipeline().setStages(new PipelineStage[] {lenet5}).fit(df);
        model.write().overwrite().save(args[2]);      // the model file's bytes are saved with the pipeline
    }
}
