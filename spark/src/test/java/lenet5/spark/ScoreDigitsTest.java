package lenet5.spark;

import lenet5.spark.examples.ScoreDigits;
import lenet5.testing.TestFiles;
import org.apache.spark.ml.PipelineModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * The README's Spark example (examples/'s ReadmeTest checks that the README shows it verbatim) runs
 * as written on the 2,000 committed digits, and the pipeline it saves scores them as the engine does.
 */
class ScoreDigitsTest {
    @TempDir
    Path tmp;

    @Test
    void readmeExampleScoresAndSavesThePipeline() throws Exception {
        Path model = TestFiles.testdata().resolve("torch/lenet5_tanh.pt"), digits = tmp.resolve("digits.parquet");
        Path pipeline = tmp.resolve("pipeline");
        LocalSpark.digitFrame(2).write().parquet(digits.toString());
        ScoreDigits.main(new String[] {model.toString(), digits.toString(), pipeline.toString()}); // on the tests' local[2] session
        TransformerTest.assertBitIdentical(TransformerTest.engine(model), PipelineModel.load(pipeline.toString())
                .transform(LocalSpark.session().read().parquet(digits.toString())).orderBy("id").collectAsList(),
                "README's ScoreDigits pipeline");
    }
}
