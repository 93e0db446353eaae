package lenet5.bench;

import lenet5.layers.Conv2d;
import lenet5.layers.Dense;
import lenet5.layers.Layer;
import lenet5.model.Sequential;
import lenet5.tensor.Tensor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.List;

/**
 * The same LeNet-5 as a DL4J {@link MultiLayerNetwork}, built by hand and given the PyTorch
 * weights: conv weights are (out, in, kh, kw) in both; DL4J's dense weights are (in, out).
 */
final class Dl4jLenet {
    /** The DL4J layer index of each PyTorch conv/linear layer (pooling layers sit in between). */
    private static final int[] DL4J_INDEX = {0, 2, 4, 5, 6};

    private Dl4jLenet() {
    }

    static MultiLayerNetwork build(Sequential torch) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .dataType(DataType.FLOAT)
                .list()
                .layer(new ConvolutionLayer.Builder(5, 5).nIn(1).nOut(6).padding(2, 2).activation(Activation.TANH).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.AVG).kernelSize(2, 2).stride(2, 2).build())
                .layer(new ConvolutionLayer.Builder(5, 5).nOut(16).activation(Activation.TANH).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.AVG).kernelSize(2, 2).stride(2, 2).build())
                .layer(new ConvolutionLayer.Builder(5, 5).nOut(120).activation(Activation.TANH).build())
                .layer(new DenseLayer.Builder().nOut(84).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(28, 28, 1))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        List<Layer> weighted = new ArrayList<>();
        for (Layer l : torch.layers()) {
            if (l instanceof Conv2d || l instanceof Dense) {
                weighted.add(l);
            }
        }
        for (int i = 0; i < weighted.size(); i++) {
            Layer l = weighted.get(i);
            int target = DL4J_INDEX[i];
            if (l instanceof Conv2d c) {
                net.getLayer(target).setParam("W", array(c.weight()));
                net.getLayer(target).setParam("b", array(c.bias()).reshape(1, c.outChannels()));
            } else {
                Dense d = (Dense) l;
                net.getLayer(target).setParam("W", array(d.weight()).transpose().dup('c'));
                net.getLayer(target).setParam("b", array(d.bias()).reshape(1, d.outFeatures()));
            }
        }
        return net;
    }

    private static INDArray array(Tensor t) {
        long[] shape = new long[t.shape().length];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = t.shape()[i];
        }
        return Nd4j.create(t.data().clone(), shape, 'c');
    }
}
