package lenet5.keras;

import lenet5.layout.Layout;
import lenet5.tensor.Shape;
import org.deeplearning4j.nn.modelimport.keras.KerasModelImport;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;

/**
 * Deeplearning4j 1.0.0-M2.1 as an independent Keras importer (test scope only). It reads
 * Keras 1 and 2 files (not Keras 3) through native libhdf5, and runs channels_last models on
 * NHWC input and Theano-ordered ones on NCHW input.
 */
final class Dl4j {
    private Dl4j() {
    }

    static MultiLayerNetwork importModel(Path h5) throws Exception {
        return KerasModelImport.importKerasSequentialModelAndWeights(h5.toString(), false);
    }

    static MultiLayerNetwork importModel(Path json, Path weights) throws Exception {
        return KerasModelImport.importKerasSequentialModelAndWeights(json.toString(), weights.toString(), false);
    }

    /** Outputs for {@code n} images given in {@code layout} (ignored for flat inputs). */
    static float[] output(MultiLayerNetwork net, float[] images, Shape input, Layout layout) {
        int n = images.length / input.size();
        long[] shape = input.flat() ? new long[] {n, input.size()}
                : layout == Layout.NHWC ? new long[] {n, input.height(), input.width(), input.channels()}
                : new long[] {n, input.channels(), input.height(), input.width()};
        INDArray out = net.output(Nd4j.create(images, shape, 'c'));
        return out.castTo(DataType.FLOAT).dup('c').data().asFloat();
    }
}
