/**
 * lenet5: reads LeNet-5-class models saved by PyTorch and Keras, predicts, converts and compares
 * them. Start at {@link lenet5.Lenet5}; file formats plug in through {@link lenet5.spi.ModelFormat}
 * (the modules {@code lenet5.torch} and {@code lenet5.keras} provide one each).
 */
@SuppressWarnings("module") // the name ends in a digit: it is the project's name
module lenet5.core {
    // Only the Vector API kernels use it; they are loaded when the JVM runs with the module.
    requires static jdk.incubator.vector;
    // lenet5.image takes and returns java.awt.image.BufferedImage.
    requires transitive java.desktop;

    exports lenet5;
    exports lenet5.compare;
    exports lenet5.image;
    exports lenet5.io;
    exports lenet5.layers;
    exports lenet5.layout;
    exports lenet5.model;
    exports lenet5.spi;
    exports lenet5.tensor;

    uses lenet5.spi.ModelFormat;
}
